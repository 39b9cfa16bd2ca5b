from consenso.cli.main import app

app(prog_name="consenso")
