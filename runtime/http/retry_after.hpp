// How long a server asked us to wait before the next request: Retry-After (RFC 9110: delta
// seconds, or an HTTP date measured against the response's own Date header, never our clock)
// and OpenAI's retry-after-ms, which wins when both are sent.
#pragma once

#include <cstdint>
#include <string_view>

namespace skippy::http {

// Milliseconds to wait, or -1 when no usable value was sent. An absurd delta (more than nine
// digits) gives 2^40 ms: longer than any cap a caller applies.
std::int64_t retry_after_ms(std::string_view retry_after, std::string_view date = {},
                            std::string_view retry_after_ms_header = {});

}  // namespace skippy::http
