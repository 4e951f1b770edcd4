"""The two formats of GeoReport v2: XML (required by the spec) and JSON.

The JSON is the spec's "Spark convention" reading of the XML: a list is an array,
an object is an object. The XML is written from the same data: the root element
is named by the view (``xml_root``), or ``errors`` for any error answer, and each
list's items are named after their container (``services`` → ``service``).
"""

import re
import xml.etree.ElementTree as ET

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer

# The element that holds each item of a list, by the name of the list.
ITEM_OF_LIST = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry at all (C0 controls but tab, LF and CR; lone
# surrogates; U+FFFE and U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


class Open311JSONRenderer(JSONRenderer):
    charset = "utf-8"


class Open311XMLRenderer(BaseRenderer):
    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        context = renderer_context or {}
        response = context.get("response")
        if response is not None and response.status_code >= 400:
            root_name = "errors"
        else:
            root_name = getattr(context.get("view"), "xml_root", "") or "response"
        root = ET.Element(root_name)
        _fill(root, data)
        text = ET.tostring(root, encoding="unicode")
        # A parser reads a bare CR in text as LF: written as a reference it is kept
        # ("a\r\nb" parses back as sent).
        return DECLARATION + text.replace("\r", "&#13;").encode("utf-8")


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, (list, tuple)):
        item = ITEM_OF_LIST.get(element.tag, "item")
        for entry in value:
            _fill(ET.SubElement(element, item), entry)
    elif isinstance(value, dict):
        for key, entry in value.items():
            _fill(ET.SubElement(element, str(key)), entry)
    elif value is None:
        return  # an empty element: <account_id/>
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = _NOT_XML.sub("", str(value))


class SuffixNegotiation(DefaultContentNegotiation):
    """The format is the URL's suffix, never the Accept header (clients send all
    sorts); XML, the spec's required format, where the URL has none."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or "xml"
        for renderer in renderers:
            if renderer.format == wanted:
                return renderer, renderer.media_type
        return renderers[-1], renderers[-1].media_type
