"""The HTTP interface: a Flask application factory, blueprints, schemas, auth and errors."""
