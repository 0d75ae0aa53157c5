"""What the service keeps: the state database, the memo register, the ledger, the version store."""
