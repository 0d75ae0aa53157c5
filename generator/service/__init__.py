"""Running builds: one workbook through the pipeline, worker processes, batches, intake, the watch folder."""
