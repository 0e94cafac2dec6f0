import io

import pytest
from PIL import Image

from conversation.reports.photos import PhotoError, PhotoStore


def _jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    image = Image.new("RGB", (width, height), (200, 40, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (13.0, 45.0, 0.0), 3: "E", 4: (100.0, 30.0, 0.0)}  # GPSInfo
    exif[0x0112] = 6  # orientation: rotate 90 degrees to show upright
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def photos(tmp_path):
    return PhotoStore(tmp_path / "photos", max_bytes=200_000)


def test_a_phone_photo_is_kept_upright_without_its_location(photos, tmp_path):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the upload carries GPS

    stored = photos.save(original)

    data, content_type = photos.read(stored.ref)
    assert content_type == "image/jpeg" and stored.size == len(data)
    kept = Image.open(io.BytesIO(data))
    assert not kept.getexif()  # no GPS, no orientation tag, nothing of the phone's
    assert kept.size == (48, 64)  # turned upright by its orientation instead
    assert [path.name for path in (tmp_path / "photos").iterdir()] == [stored.ref]


def test_a_transparent_png_stays_png_and_a_huge_image_is_shrunk(tmp_path):
    photos = PhotoStore(tmp_path / "photos", max_bytes=5_000_000)
    logo = io.BytesIO()
    Image.new("RGBA", (4000, 1000), (0, 0, 0, 0)).save(logo, format="PNG")
    stored = photos.save(logo.getvalue())
    assert stored.content_type == "image/png"
    assert Image.open(io.BytesIO(photos.read(stored.ref)[0])).size == (2560, 640)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "photo_empty"),
        (b"%PDF-1.7 not a photo", "photo_not_image"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "photo_not_image"),  # a JPEG header and nothing behind it
        ("ภาพถ่าย".encode("utf-16"), "photo_not_image"),
        (b"GIF89a" + b"\x00" * 50, "photo_not_image"),
    ],
)
def test_what_is_not_a_photo_is_refused_with_its_reason(photos, tmp_path, data, reason):
    with pytest.raises(PhotoError) as refused:
        photos.save(data)
    assert refused.value.reason == reason
    assert not (tmp_path / "photos").exists() or not any((tmp_path / "photos").iterdir())


def test_a_photo_over_the_limit_is_refused_before_it_is_decoded(photos):
    with pytest.raises(PhotoError) as refused:
        photos.save(b"\xff\xd8" + b"\x00" * 200_001)
    assert refused.value.reason == "photo_too_big"


def test_only_its_own_refs_reach_the_disk(photos):
    stored = photos.save(_jpeg_with_gps())
    for bad in ("../../etc/passwd", "x.jpg", stored.ref.replace(".jpg", ".png"), stored.ref + "/.."):
        with pytest.raises(FileNotFoundError):
            photos.read(bad)
    assert photos.delete(stored.ref) is True
    assert photos.delete(stored.ref) is False
    assert photos.delete(None) is False
    with pytest.raises(FileNotFoundError):
        photos.read(stored.ref)
