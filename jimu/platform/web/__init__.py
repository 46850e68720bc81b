"""Server-rendered pages: login, app list and the layout the designers build on."""
