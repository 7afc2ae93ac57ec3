#include "simulator/model_stand_in.hpp"

#include <CivetServer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

namespace skippy::sim {
namespace {

constexpr std::size_t kMaxBody = 8 * 1024 * 1024;
constexpr const char* kOllamaChat = "/api/chat";
constexpr const char* kOpenAiChat = "/v1/chat/completions";

constexpr std::array<std::pair<ModelMode, std::string_view>, 10> kModes = {{
    {ModelMode::sensible, "sensible"},
    {ModelMode::obedient, "obedient"},
    {ModelMode::hostile, "hostile"},
    {ModelMode::hang, "hang"},
    {ModelMode::slow, "slow"},
    {ModelMode::error, "error"},
    {ModelMode::ratelimit, "ratelimit"},
    {ModelMode::quota, "quota"},
    {ModelMode::truncated, "truncated"},
    {ModelMode::garbage, "garbage"},
}};

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Writes `reply` with Content-Length `declared` (more than the body for a truncated reply),
// then the connection closes.
void send(mg_connection* conn, const ModelReply& reply, std::size_t declared) {
  std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " " +
                     mg_get_response_code_text(conn, reply.status) + "\r\n";
  bool typed = false;
  for (const auto& [name, value] : reply.headers) {
    head += name + ": " + value + "\r\n";
    typed = typed || lower(name) == "content-type";
  }
  if (!typed) head += "Content-Type: application/json; charset=utf-8\r\n";
  head += "Content-Length: " + std::to_string(declared) + "\r\nConnection: close\r\n\r\n";
  mg_write(conn, head.data(), head.size());
  mg_write(conn, reply.body.data(), reply.body.size());
}

}  // namespace

std::string_view model_mode_name(ModelMode mode) {
  for (const auto& [m, name] : kModes) {
    if (m == mode) return name;
  }
  return "sensible";
}

std::optional<ModelMode> parse_model_mode(std::string_view name) {
  for (const auto& [m, n] : kModes) {
    if (n == name) return m;
  }
  return std::nullopt;
}

std::string model_mode_names() {
  std::string out;
  for (const auto& [m, name] : kModes) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

// A reply as it goes out: a truncated one declares more bytes than it sends.
struct ModelStandIn::Outgoing {
  ModelReply reply;
  std::size_t declared = 0;
};

void ModelStandIn::serve(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  ModelRequest request;
  request.method = info->request_method ? info->request_method : "";
  request.path = info->local_uri ? info->local_uri : "";
  for (int i = 0; i < info->num_headers; ++i) {
    const auto& h = info->http_headers[i];
    if (h.name) request.headers[lower(h.name)] = h.value ? h.value : "";
  }
  auto body = read_body(conn, kMaxBody);
  if (body) request.body = std::move(*body);
  std::optional<Outgoing> out = respond(request, !body);
  if (options_.log)
    options_.log("model " + request.method + " " + request.path + " " +
                 (out ? std::to_string(out->reply.status) : "no answer"));
  if (out && wait(out->reply.delay_ms)) send(conn, out->reply, out->declared);
}

ModelStandIn::ModelStandIn(ModelOptions options) : options_(std::move(options)) {}

ModelStandIn::~ModelStandIn() {
  shutdown();
}

std::optional<std::string> ModelStandIn::start() {
  return http_.start(
      options_.listen, [this](mg_connection* conn) { serve(conn); }, 32);
}

std::string ModelStandIn::url() const {
  return "http://127.0.0.1:" + std::to_string(http_.port());
}

void ModelStandIn::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopping_changed_.notify_all();
  http_.stop();
}

void ModelStandIn::set_mode(ModelMode mode) {
  std::lock_guard lock(mutex_);
  options_.mode = mode;
}

void ModelStandIn::script(ScriptedReply reply) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(reply));
}

std::size_t ModelStandIn::script_left() const {
  std::lock_guard lock(mutex_);
  return script_.size();
}

std::vector<ModelRequest> ModelStandIn::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t ModelStandIn::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

HostileAnswer ModelStandIn::hostile_answer(std::uint64_t seed, std::uint64_t n,
                                           const std::vector<std::string>& allowed,
                                           const std::vector<std::string>& ids) {
  return sim::hostile_answer(seed, n, allowed, ids);
}

bool ModelStandIn::wait(std::int64_t ms) {
  std::unique_lock lock(mutex_);
  auto stopped = [&] { return stopping_.load(); };
  if (ms < 0) {
    stopping_changed_.wait(lock, stopped);
    return false;
  }
  if (ms == 0) return !stopped();
  constexpr std::int64_t kDay = 86'400'000;
  return !stopping_changed_.wait_for(lock, std::chrono::milliseconds(std::min(ms, kDay)), stopped);
}

std::optional<ModelStandIn::Outgoing> ModelStandIn::respond(const ModelRequest& request,
                                                            bool too_large) {
  ChatApi api = request.path.starts_with("/v1/") ? ChatApi::openai : ChatApi::ollama;
  ScriptedReply next;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    next = options_.mode;
  }
  auto plain = [](ModelReply reply) { return Outgoing{reply, reply.body.size()}; };
  if (!options_.api_key.empty()) {
    auto auth = request.headers.find("authorization");
    if (auth == request.headers.end() || auth->second != "Bearer " + options_.api_key)
      return plain(error_reply(api, 401, "Incorrect API key provided", "invalid_request_error",
                               "invalid_api_key"));
  }
  if (request.path != kOllamaChat && request.path != kOpenAiChat) {
    if (api == ChatApi::ollama)
      return plain({404, {{"Content-Type", "text/plain"}}, "404 page not found"});
    return plain(error_reply(api, 404, "Invalid URL (" + request.method + " " + request.path + ")",
                             "invalid_request_error"));
  }
  if (request.method != "POST")
    return plain(error_reply(api, 405, "method not allowed", "invalid_request_error"));
  if (too_large)
    return plain(error_reply(api, 413, "request body too large", "invalid_request_error"));
  {
    std::lock_guard lock(mutex_);
    if (!script_.empty()) {
      next = std::move(script_.front());
      script_.pop_front();
    }
  }
  if (auto* raw = std::get_if<ModelReply>(&next)) return plain(*raw);
  return reply_in_mode(std::get<ModelMode>(next), api, request.body);
}

std::optional<ModelStandIn::Outgoing> ModelStandIn::reply_in_mode(ModelMode mode, ChatApi api,
                                                                  std::string_view body) {
  auto plain = [](ModelReply reply) { return Outgoing{reply, reply.body.size()}; };
  switch (mode) {
    case ModelMode::hang:
      wait(-1);
      return std::nullopt;
    case ModelMode::error:
      return plain(error_reply(api, 500,
                               api == ChatApi::ollama
                                   ? "llama runner process has terminated: exit status 2"
                                   : "The server had an error while processing your request. "
                                     "Sorry about that!",
                               "server_error"));
    case ModelMode::ratelimit: {
      ModelReply reply = error_reply(api, 429, "Rate limit reached for requests",
                                     "rate_limit_exceeded", "rate_limit_exceeded");
      reply.headers.push_back({"retry-after", std::to_string(options_.retry_after_s)});
      if (api == ChatApi::openai)
        reply.headers.push_back({"retry-after-ms", std::to_string(options_.retry_after_s * 1000)});
      return plain(reply);
    }
    case ModelMode::quota:
      return plain(error_reply(api, 429,
                               "You exceeded your current quota, please check your plan and "
                               "billing details.",
                               "insufficient_quota", "insufficient_quota"));
    case ModelMode::garbage:
      return plain({200, {}, "<html><body><h1>502 Bad Gateway</h1></body></html>\n\x01\xff"});
    default:
      break;
  }
  auto read = read_chat_request(api, body);
  if (auto* refused = std::get_if<ModelReply>(&read)) return plain(*refused);
  const auto& request = std::get<ChatRequest>(read);
  ModelQuestion question = read_question(request.user_content);
  if (mode == ModelMode::slow && !wait(options_.delay_ms)) return std::nullopt;
  HostileAnswer answer;
  std::uint64_t number = 0;
  {
    std::lock_guard lock(mutex_);
    number = ++answers_;
    if (mode == ModelMode::hostile)
      answer = hostile_answer(options_.seed, hostile_++, question.allowed_actions,
                              question.evidence_ids);
  }
  if (mode == ModelMode::obedient) answer.text = obedient_answer(question);
  if (mode != ModelMode::hostile && mode != ModelMode::obedient)
    answer.text = sensible_answer(question);
  Outgoing out = plain(answer_reply(api, request, answer, number));
  if (mode == ModelMode::truncated) out.reply.body.resize(out.declared / 2);
  return out;
}

}  // namespace skippy::sim
