from sandbox import create_app

app = create_app()
