"""The site's one style sheet, served as /site.css: the Content-Security-Policy allows no inline style."""

CSS = """\
  body { font-family: "Nikosh", "Noto Sans Bengali", "Lohit Bengali", "Vrinda", sans-serif; margin: 0; color: #1d2733; background: #f6f7f9; }
  header { background: #1f4e79; color: #fff; padding: .6rem 1.5rem; display: flex; align-items: baseline; gap: 2rem; flex-wrap: wrap; }
  header h1 { font-size: 1.25rem; margin: 0; }
  header a { color: #fff; text-decoration: none; margin-right: 1.2rem; white-space: nowrap; display: inline-block; }
  header a:hover { text-decoration: underline; }
  main { padding: 1rem 1.5rem; max-width: 1200px; }
  .en { display: block; font-size: .8em; color: #5b6673; font-family: sans-serif; }
  header .en { color: #c9d6e3; display: inline; margin-left: .3rem; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { border: 1px solid #d5dae0; padding: .35rem .5rem; text-align: left; vertical-align: top; }
  th { background: #e8eef5; font-weight: 600; }
  .status-built { color: #1e7b34; font-weight: 600; } .status-rejected { color: #b3261e; font-weight: 600; }
  .status-duplicate { color: #7a5b00; } .status-failed, .status-interrupted { color: #b3261e; }
  .error { color: #b3261e; } .warning { color: #7a5b00; }
  form.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin-bottom: 1rem; }
  form.filters label { display: flex; flex-direction: column; font-size: .9rem; }
  button, input[type=submit] { background: #1f4e79; color: #fff; border: 0; padding: .45rem 1rem; border-radius: 3px; cursor: pointer; font: inherit; }
  .box { background: #fff; border: 1px solid #d5dae0; padding: 1rem; margin-bottom: 1rem; }
  .num { text-align: right; white-space: nowrap; }
  code { font-size: .85em; }
  .verdict { border: 1px solid #d5dae0; border-left: 6px solid #5b6673; background: #fff; padding: .6rem 1rem; margin-bottom: 1rem; }
  .verdict-bad { border-left-color: #b3261e; background: #fdf1f0; } .verdict-good { border-left-color: #1e7b34; background: #f1f8f2; }
  .verdict .big { font-size: 1.25rem; font-weight: 600; margin: .2rem 0 .4rem; }
  .verdict p { overflow-wrap: break-word; }  /* a long path or address in a message stays in its box */
  .verdict-bad .big { color: #b3261e; } .verdict-good .big { color: #1e7b34; }
  ul.files li { margin-bottom: .6rem; overflow-wrap: anywhere; } ul.files small { color: #5b6673; }
  input[type=file] { max-width: 100%; } .hint { font-size: .9rem; color: #5b6673; margin: .2rem 0 .9rem; }
  form.signout { margin-left: auto; } form.signout button { background: #2d6496; padding: .2rem .7rem; }
  .en.en-light { color: #dfe8f1; }
  /* a long memo number or file name wraps inside its box, a phone's too */
  .memo, .verdict .big, table.facts td, h2, ul.warnings li { overflow-wrap: anywhere; }
  /* a submission's findings and scores: long memos wrap in their cell; on a phone the table scrolls in its box */
  table.findings td, table.scores td { overflow-wrap: anywhere; }
  table.findings td.cell { overflow-wrap: normal; white-space: nowrap; }  /* পত্র!C9 whole, never পত্র!C / 9 */
  /* on a phone each finding is a card, its message the width of the screen: a table would leave it a sliver */
  @media (max-width: 40rem) {
    .table-wrap.narrow table.findings { min-width: 0; border: 0; background: none; }
    table.findings, table.findings tbody, table.findings tr, table.findings td { display: block; }
    table.findings tr:first-child { display: none; }
    table.findings tr { background: #fff; border: 1px solid #d5dae0; margin-bottom: .6rem; }
    table.findings td { border: 0; }
    table.findings td:first-child, table.findings td.cell { display: inline-block; padding-bottom: 0; }
    table.findings td:first-child .en { display: inline; margin-left: .3rem; }
  }
  table.facts { width: auto; }
  /* the submissions list and the summary */
  /* the list stays within the window, a phone's too: long names wrap, the table scrolls inside its own box */
  form.filters label { max-width: 100%; min-width: 0; }
  form.filters select { max-width: min(100%, 24rem); min-width: 6rem; }
  .table-wrap { max-width: 100%; overflow-x: auto; }
  .table-wrap table { min-width: 46rem; }
  .table-wrap td.long { overflow-wrap: break-word; min-width: 8rem; }
  .table-wrap td.file { overflow-wrap: anywhere; }  /* a name with no space in it does not widen its column */
  .table-wrap td.when, .table-wrap td.short { white-space: nowrap; }
  .count { margin: .2rem 0 .6rem; }
  nav.pages { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; margin: .8rem 0; }
  nav.pages a, nav.pages span.off { display: inline-block; padding: .3rem .8rem; border: 1px solid #d5dae0;
                                    background: #fff; text-decoration: none; }
  nav.pages span.off { color: #9aa3ad; }
  nav.pages span.off .en { color: #b5bcc4; }
  tr.missing td { background: #fdf1f0; } tr.late td.status { background: #fff6db; }
  td.status { white-space: nowrap; }
  .downloads a { display: inline-block; margin-right: 1.2rem; }
  .table-wrap.narrow table { min-width: 30rem; }
  .table-wrap td.memo { overflow-wrap: normal; white-space: nowrap; }  /* in a table that scrolls: kept whole */
  @media (max-width: 40rem) { .table-wrap td.when { white-space: normal; } }  /* a phone sees the file's status */
  /* on a phone each submission is a card, every field on its own labelled line: a table would hide the office,
     the memo and the score off to the right */
  @media (max-width: 40rem) {
    .table-wrap table.list { min-width: 0; border: 0; background: none; }
    table.list, table.list tbody, table.list tr, table.list td { display: block; }
    table.list tr:first-child { display: none; }
    table.list tr { background: #fff; border: 1px solid #d5dae0; margin-bottom: .6rem; padding: .3rem 0; }
    table.list td { border: 0; padding: .15rem .6rem; min-width: 0; text-align: left; }
    table.list td:empty { display: none; }
    table.list td::before { content: attr(data-label); display: block; font-size: .8rem; color: #5b6673; }
    .table-wrap table.list td.memo { overflow-wrap: anywhere; white-space: normal; }
    table.list td.file { font-size: 1.05rem; }
  }
"""
