"""The web page's views, one module each; every view reads what it shares from `request.app.state.desk`."""
