"""WSGI entry point for any WSGI server (``granian --interface wsgi server:app``), or
``python server.py`` (development server).

Settings come from the ASU_* environment variables (see ``asu-graph --help``).
"""

from asu_graph.config import Settings
from asu_graph.web import create_app

app = create_app(Settings.from_env())

if __name__ == "__main__":
    settings = app.extensions["asu"].settings
    app.run(host=settings.host, port=settings.port, threaded=True)
