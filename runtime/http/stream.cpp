// The stream runs on a curl multi handle so that the wait for data can be cut short: each
// poll waits at most 50 ms, then `cancelled` and the idle timer are looked at.
#include "runtime/http/stream.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>

#include "runtime/http/easy.hpp"

namespace skippy::http {
namespace {

using Clock = std::chrono::steady_clock;

struct Reader {
  CURL* easy = nullptr;
  const std::function<bool(std::string_view)>* on_line = nullptr;
  StreamEnd* end = nullptr;
  std::size_t max_line = 0;
  std::string pending;  // the start of a line not ended yet
  Clock::time_point last_data = Clock::now();
  bool line_too_long = false;
};

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* r = static_cast<Reader*>(user);
  std::size_t n = size * count;
  r->last_data = Clock::now();
  long status = 0;
  curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {  // an error's body: kept whole, up to the limit
    r->end->body.append(data,
                        std::min(n, r->max_line - std::min(r->max_line, r->end->body.size())));
    return n;
  }
  std::string_view in(data, n);
  while (!in.empty()) {
    auto newline = in.find('\n');
    if (newline == std::string_view::npos) {
      if (r->pending.size() + in.size() > r->max_line) {
        r->line_too_long = true;
        return 0;  // aborts the transfer
      }
      r->pending.append(in);
      break;
    }
    std::string_view line = in.substr(0, newline);
    in.remove_prefix(newline + 1);
    if (!r->pending.empty()) {
      r->pending.append(line);
      line = r->pending;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool go_on = true;
    if (!line.empty()) {
      ++r->end->lines;
      go_on = (*r->on_line)(line);
    }
    r->pending.clear();
    if (!go_on) {
      r->end->stopped = true;
      return 0;
    }
  }
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* r = static_cast<Reader*>(user);
  std::size_t n = size * count;
  std::string_view line(data, n);
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name != "retry-after") return n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())))
    value.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
    value.remove_suffix(1);
  r->end->retry_after = value;
  return n;
}

}  // namespace

StreamEnd stream_lines(const Request& request, const Credentials& credentials,
                       std::int64_t idle_timeout_ms,
                       const std::function<bool(std::string_view line)>& on_line,
                       const std::function<bool()>& cancelled) {
  StreamEnd end;
  if (!request.url.starts_with("http://") && !request.url.starts_with("https://")) {
    end.error = "not an http:// or https:// URL";
    return end;
  }
  detail::Easy easy(request, credentials);
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(),
                                                              curl_multi_cleanup);
  if (!easy.valid() || !multi) {
    end.error = "cannot start a transfer";
    return end;
  }
  Reader reader;
  reader.easy = easy.get();
  reader.on_line = &on_line;
  reader.end = &end;
  reader.max_line = request.max_response_bytes;
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &reader);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &reader);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_multi_add_handle(multi.get(), e);
  CURLcode code = CURLE_OK;
  bool done = false;
  while (!done) {
    int running = 0;
    curl_multi_perform(multi.get(), &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
      if (msg->msg == CURLMSG_DONE) {
        code = msg->data.result;
        done = true;
      }
    }
    if (done || end.stopped) break;
    if (cancelled && cancelled()) {
      end.stopped = true;
      break;
    }
    auto idle =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - reader.last_data);
    if (idle_timeout_ms > 0 && idle.count() >= idle_timeout_ms) {
      end.error = "nothing arrived for " + std::to_string(idle_timeout_ms) + " ms";
      break;
    }
    curl_multi_poll(multi.get(), nullptr, 0, 50, nullptr);
  }
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  end.status = static_cast<int>(status);
  curl_multi_remove_handle(multi.get(), e);
  if (end.stopped || !end.error.empty()) return end;
  if (reader.line_too_long) {
    end.error = "a line longer than " + std::to_string(request.max_response_bytes) + " bytes";
  } else if (code != CURLE_OK) {
    end.error = easy.error(code);
  }
  return end;
}

}  // namespace skippy::http
