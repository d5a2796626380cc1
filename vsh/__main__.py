from vsh.cli import app

app()
