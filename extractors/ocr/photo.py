"""Phone photos of a page: even out the light, find the sheet, undo the perspective.

A photo of a letter on a desk is a lighter quadrilateral (the sheet) on a darker ground,
seen at an angle (keystone), a little turned, lit unevenly. Before the usual page chain
(`read_page`: orientation, deskew, ruling lines, cells) the sheet is cut out and warped
to a rectangle (the four-point transform), and the light is flattened by dividing by a
heavily blurred copy of the page, so one Otsu threshold fits the whole sheet. A flatbed
scan has no sheet edge inside the image: it is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_PAGE_SHARE = 0.25  # the sheet covers at least this share of the photo
MAX_PAGE_SHARE = 0.98  # ... and leaves some ground around it (else: a scan, no edge)
WORK_SIDE = 1000  # contours are searched on a copy this long (pixels): fast, and enough
APPROX_EPSILON = 0.02  # polygon approximation tolerance, as a share of the perimeter
LIGHT_BLUR_SHARE = 0.06  # the background estimate's blur radius, as a share of the width
EDGE_TRIM = 0.012  # share of the cut-out sheet dropped at each edge: a sliver of desk there
# would be found as a ruling line around the whole page


@dataclass(frozen=True)
class Flattened:
    """The photo after correction, and what was done (for the document's metadata)."""

    gray: np.ndarray
    page_found: bool
    corners: tuple[tuple[int, int], ...] = ()  # the sheet's corners in the photo, tl tr br bl


def flatten_photo(gray: np.ndarray) -> Flattened:
    """The sheet cut out and made rectangular (when its four corners are found), with the
    light evened out."""
    quad = find_page_quad(gray)
    if quad is None:
        return Flattened(even_light(gray), False)
    page = four_point_transform(gray, quad)
    dy, dx = (int(round(n * EDGE_TRIM)) for n in page.shape)
    page = page[dy : page.shape[0] - dy, dx : page.shape[1] - dx]
    corners = tuple((int(x), int(y)) for x, y in quad)
    return Flattened(even_light(page), True, corners)


def find_page_quad(gray: np.ndarray) -> np.ndarray | None:
    """The sheet's four corners (float32, clockwise from top-left) in `gray`'s pixels, or
    None when no large four-sided light region stands out from its surroundings."""
    scale = min(1.0, WORK_SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    blurred = cv2.GaussianBlur(small, (7, 7), 0)
    _, light = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # Close the sheet over its printed text and lines, so its outline is one contour.
    light = cv2.morphologyEx(light, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(light, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    area = small.shape[0] * small.shape[1]
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
        share = cv2.contourArea(contour) / area
        if not MIN_PAGE_SHARE <= share <= MAX_PAGE_SHARE:
            continue
        hull = cv2.convexHull(contour)
        approx = cv2.approxPolyDP(hull, APPROX_EPSILON * cv2.arcLength(hull, True), True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            return order_corners(approx.reshape(4, 2).astype(np.float32) / scale)
    return None


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    sums, diffs = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array(
        [
            points[np.argmin(sums)],
            points[np.argmin(diffs)],
            points[np.argmax(sums)],
            points[np.argmax(diffs)],
        ],
        dtype=np.float32,
    )


def four_point_transform(gray: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quadrilateral `quad` (tl, tr, br, bl) warped to an upright rectangle as wide and
    tall as its longer opposite edges."""
    tl, tr, br, bl = quad
    width = int(round(max(np.linalg.norm(br - bl), np.linalg.norm(tr - tl))))
    height = int(round(max(np.linalg.norm(tr - br), np.linalg.norm(tl - bl))))
    target = np.array(
        [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32
    )
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(
        gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255
    )


def even_light(gray: np.ndarray) -> np.ndarray:
    """Divide by the page's own background (a closing removes the ink, a blur smooths the
    rest): a shadow or a lamp's falloff across the sheet becomes even white paper. The
    background is estimated on a copy an eighth the size (the light varies slowly)."""
    small = cv2.resize(gray, None, fx=1 / 8, fy=1 / 8, interpolation=cv2.INTER_AREA)
    size = max(5, int(small.shape[1] * LIGHT_BLUR_SHARE) | 1)
    background = cv2.morphologyEx(
        small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    )
    background = cv2.GaussianBlur(background, (0, 0), size / 2)
    background = cv2.resize(background, gray.shape[::-1], interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(background, 1), scale=255)
