"""The workbook's sheets and layout version, as every layer names them."""

LETTER_SHEET = "পত্র"
PLAN_SHEET = "কর্মপরিকল্পনা"
GUIDE_SHEET = "নির্দেশনা"
TEMPLATE_VERSION = 1  # the layout of the blank workbooks; an older one is refused with a clear message
FIRST_DATA_ROW = 4  # of a plan sheet: row 1 the keys, row 2 the headers, row 3 the column numbers
