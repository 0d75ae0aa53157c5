"""The web page through Starlette's test client: the form token and an upload."""
import re


def csrf(client, url="/upload"):
    page = client.get(url)
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def upload(client, name, data, token=None):
    return client.post("/upload", data={"csrf": token or csrf(client)}, files={"workbook": (name, data)},
                       follow_redirects=False)
