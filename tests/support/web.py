"""The web page through Starlette's test client: the form token and an upload; evidence files to send with one."""
import io
import re
import time

from PIL import Image
from pypdf import PdfWriter

BUNDLE_LABEL = "ই-নথির জন্য একটি PDF (পত্রের সব PDF, প্রমাণক দেওয়া হলে তা-ও)"


def csrf(client, url="/upload"):
    page = client.get(url)
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def upload(client, name, data, token=None, wait=120.0):
    """Upload, then follow the page that says it is building until the build is done: the answer that sends the
    clerk to the submission (303), or the page that says what failed."""
    response = client.post("/upload", data={"csrf": token or csrf(client)}, files={"workbook": (name, data)},
                           follow_redirects=False)
    return settled(client, response, wait)


def settled(client, response, wait=120.0):
    deadline = time.monotonic() + wait
    while response.status_code == 303 and response.headers["location"].startswith("/uploads/"):
        location = response.headers["location"]
        response = client.get(location, follow_redirects=False)
        if response.status_code == 200 and 'http-equiv="refresh"' in response.text and time.monotonic() < deadline:
            time.sleep(0.2)
            response = _Again(location)
    return response


class _Again:
    """Look at the building page again."""

    status_code = 303

    def __init__(self, location):
        self.headers = {"location": location}


def links(page: str) -> dict[str, str]:
    """File name → its download address, from a submission's page."""
    return {name: href for href, name in re.findall(r'<a href="(/submissions/\d+/files/\d+)">([^<]+)</a>', page)}


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png(size=(800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (20, 90, 160, 128)).save(out, "PNG")
    return out.getvalue()
