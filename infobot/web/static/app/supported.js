// Runs first in <body>: tells GOV.UK Frontend's CSS that its JavaScript will run.
// (An external file because the Content-Security-Policy allows no inline script.)
document.body.className +=
  ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
