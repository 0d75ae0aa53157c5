"""The site's one script, served as /look-again.js: a page still waiting on something (an upload building, a
submission processing, the records out of reach) looks at itself again in the background and changes only when
what it says has changed: off to the built submission, or reloaded once to say what happened. Without script,
the page's <noscript> refresh does the same every few seconds."""

SCRIPT = """\
(function () {
  "use strict";
  var me = document.currentScript;
  var every = 1000 * Math.max(1, Number(me && me.getAttribute("data-every")) || 2);
  function said(doc) {
    var main = doc.querySelector("main");
    return main ? main.textContent.replace(/\\s+/g, " ").trim() : "";
  }
  var now = said(document);
  function look() {
    fetch(location.href, {credentials: "same-origin", cache: "no-store"}).then(function (answer) {
      if (answer.redirected) {
        location.replace(answer.url);
        return;
      }
      if (answer.status >= 500 && answer.status !== 503) {  // a fault, not news: look again later
        setTimeout(look, 2 * every);
        return;
      }
      return answer.text().then(function (html) {
        if (said(new DOMParser().parseFromString(html, "text/html")) !== now) {
          location.reload();
        } else {
          setTimeout(look, every);
        }
      });
    }).catch(function () {
      setTimeout(look, 2 * every);
    });
  }
  setTimeout(look, every);
})();
"""
