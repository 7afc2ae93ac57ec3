// Escaping for markup written without a library (the status page's HTML, JUnit XML) and the
// query strings of URLs.
#pragma once

#include <string>
#include <string_view>

namespace skippy::base {

// `text` safe in HTML or XML text and double-quoted attribute values: & < > " escaped.
std::string markup_escape(std::string_view text);

// `text` percent-decoded as a URL's query part: %XX is the byte XX, '+' a space; a malformed
// escape is kept as it is.
std::string url_decode(std::string_view text);

// `text` percent-encoded for a URL's query value: every byte but letters, digits and -_.~.
std::string url_encode(std::string_view text);

}  // namespace skippy::base
