// A stand-in for a language model's chat API over HTTP (civetweb), on 127.0.0.1 only: Ollama's
// POST /api/chat and the OpenAI-compatible POST /v1/chat/completions, for tests and the demo
// of ai.analyze where no model can run. It does not understand language: its answers are
// rules over the request's JSON (model_answers.hpp), in each API's envelope
// (model_wire.hpp). A mode says how it behaves; a script of replies, consumed one per request
// before the mode applies, lets a test set the next answers; every request is recorded.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "simulator/loopback_http.hpp"
#include "simulator/model_answers.hpp"
#include "simulator/model_wire.hpp"

namespace skippy::sim {

// How the stand-in answers a request.
enum class ModelMode {
  sensible,   // the first allowed action when a signal rises, else "none"
  obedient,   // obeys instructions planted in event messages
  hostile,    // a seeded sequence of malformed, out-of-set and refusing answers
  hang,       // never answers until the server stops
  slow,       // waits `delay_ms`, then answers as sensible
  error,      // 500 with the API's error body
  ratelimit,  // 429 with retry-after (and OpenAI's retry-after-ms)
  quota,      // 429 insufficient_quota
  truncated,  // a 200 whose Content-Length is more than is sent, then the connection closes
  garbage,    // a 200 whose body is not JSON
};

// "sensible", "obedient", ... and back; nullopt for another name.
std::string_view model_mode_name(ModelMode mode);
std::optional<ModelMode> parse_model_mode(std::string_view name);
// Every mode's name, for usage messages: "sensible, obedient, ...".
std::string model_mode_names();

struct ModelOptions {
  std::string listen = "127.0.0.1:0";
  ModelMode mode = ModelMode::sensible;  // when the script is empty
  std::int64_t delay_ms = 2'000;         // slow: the wait before answering
  std::uint64_t seed = 42;               // hostile: the seed of its sequence of answers
  std::int64_t retry_after_s = 2;        // ratelimit: the retry-after it sends
  std::string api_key;  // when set, a request without "Authorization: Bearer KEY" gets 401
  std::function<void(const std::string&)> log;  // one line per request, when set
};

// One request as received; header names lower-cased.
struct ModelRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;
  std::string body;
};

// One scripted reply: a mode for one request, or a reply sent as it is (after its delay).
using ScriptedReply = std::variant<ModelMode, ModelReply>;

class ModelStandIn {
 public:
  explicit ModelStandIn(ModelOptions options);
  ~ModelStandIn();
  ModelStandIn(const ModelStandIn&) = delete;
  ModelStandIn& operator=(const ModelStandIn&) = delete;

  // Starts listening; the reason when it cannot.
  std::optional<std::string> start();
  int port() const { return http_.port(); }
  std::string url() const;  // "http://127.0.0.1:PORT"
  // Wakes every waiting request (hang, slow, delayed replies), which ends without an answer,
  // and stops listening.
  void shutdown();

  // The mode of requests that find the script empty.
  void set_mode(ModelMode mode);
  // Appends replies to the script: each chat request takes the first one left.
  void script(ScriptedReply reply);
  std::size_t script_left() const;

  // Every request received so far, in order of arrival, and their number.
  std::vector<ModelRequest> requests() const;
  std::size_t request_count() const;

  // The n-th answer of the hostile mode for `seed`, without HTTP (model_answers.hpp).
  static HostileAnswer hostile_answer(std::uint64_t seed, std::uint64_t n,
                                      const std::vector<std::string>& allowed,
                                      const std::vector<std::string>& ids);

 private:
  // Reads one request and answers it, on one of the server's threads.
  void serve(mg_connection* conn);
  struct Outgoing;  // a reply as sent, perhaps declaring more bytes than it has
  // Records `request` and makes its reply; nullopt for none (hang, or shut down meanwhile).
  std::optional<Outgoing> respond(const ModelRequest& request, bool too_large);
  // The reply to a chat request in `mode`.
  std::optional<Outgoing> reply_in_mode(ModelMode mode, ChatApi api, std::string_view body);
  // Waits `ms` (forever when negative) or until shutdown; false when shut down.
  bool wait(std::int64_t ms);

  ModelOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable stopping_changed_;
  std::atomic<bool> stopping_{false};
  std::deque<ScriptedReply> script_;
  std::vector<ModelRequest> requests_;
  std::uint64_t answers_ = 0;  // chat answers given, for OpenAI's ids
  std::uint64_t hostile_ = 0;  // hostile answers given: the next one's place in the sequence
  LoopbackServer http_;
};

}  // namespace skippy::sim
