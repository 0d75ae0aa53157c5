"""The font the documents and blank workbooks are set in, and what Word and LibreOffice fall back to."""

BANGLA_FONT = "Nikosh"
# Word falls back to altName when Nikosh is missing (Vrinda ships with Windows); LibreOffice asks fontconfig,
# which finds Noto Sans Bengali or Lohit Bengali. The extra entries name those for editors that look here.
FALLBACK_FONTS = ("Vrinda", "Noto Sans Bengali", "Lohit Bengali", "SolaimanLipi")
