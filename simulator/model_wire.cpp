#include "simulator/model_wire.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "simulator/timestamps.hpp"

namespace skippy::sim {
namespace {

using Ordered = nlohmann::ordered_json;

// Every answer claims the same moment, so recorded responses compare equal run after run.
constexpr std::int64_t kCreatedSeconds = 1'796'644'800;  // 2026-12-07T12:00:00Z

std::string dump(const Ordered& json) {
  return json.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

std::int64_t tokens(std::size_t bytes) {
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(bytes / 4));
}

ModelReply bad_request(ChatApi api, const std::string& message, const std::string& code = "") {
  return error_reply(api, 400, message, "invalid_request_error", code);
}

}  // namespace

std::variant<ChatRequest, ModelReply> read_chat_request(ChatApi api, std::string_view body) {
  Ordered root = Ordered::parse(body, nullptr, false);
  if (!root.is_object())
    return bad_request(api, api == ChatApi::ollama
                                ? "invalid JSON in the request body"
                                : "We could not parse the JSON body of your request. (HINT: "
                                  "This likely means you aren't using your HTTP library "
                                  "correctly.)");
  ChatRequest request;
  auto model = root.find("model");
  if (model == root.end() || !model->is_string() || model->get<std::string>().empty())
    return bad_request(
        api, api == ChatApi::ollama ? "model is required" : "you must provide a model parameter");
  request.model = model->get<std::string>();
  // Ollama streams unless told not to; OpenAI only when asked. The stand-in never streams.
  auto stream = root.find("stream");
  bool streams = stream != root.end() && !(stream->is_boolean() && !stream->get<bool>());
  if (api == ChatApi::ollama && stream == root.end()) streams = true;
  if (api == ChatApi::openai && stream != root.end() && stream->is_null()) streams = false;
  if (streams)
    return bad_request(api, "\"stream\": the stand-in does not stream; send \"stream\": false");
  auto messages = root.find("messages");
  if (messages == root.end() || !messages->is_array() || messages->empty())
    return bad_request(api, "Missing required parameter: 'messages'.",
                       "missing_required_parameter");
  for (const auto& m : *messages) {
    if (!m.is_object()) return bad_request(api, "each message must be an object");
    auto content = m.find("content");
    if (content == m.end() || !content->is_string()) continue;
    request.message_bytes += content->get_ref<const std::string&>().size();
    auto role = m.find("role");
    if (role != m.end() && *role == "user") request.user_content = content->get<std::string>();
  }
  return request;
}

ModelReply answer_reply(ChatApi api, const ChatRequest& request, const HostileAnswer& answer,
                        std::uint64_t number) {
  using Ending = HostileAnswer::Ending;
  std::int64_t prompt = tokens(request.message_bytes);
  std::int64_t eval = tokens(answer.text.size());
  ModelReply reply;
  if (api == ChatApi::ollama) {
    // Ollama has no refusal field and no content filter: a refusal is a sentence, a filtered
    // answer an empty one.
    Ordered body = {{"model", request.model},
                    {"created_at", rfc3339(kCreatedSeconds * 1000)},
                    {"message",
                     {{"role", "assistant"},
                      {"content", answer.ending == Ending::content_filter ? "" : answer.text}}},
                    {"done", true},
                    {"done_reason", answer.ending == Ending::length ? "length" : "stop"},
                    {"prompt_eval_count", prompt},
                    {"eval_count", eval}};
    reply.body = dump(body);
    return reply;
  }
  Ordered message = {{"role", "assistant"}, {"content", answer.text}, {"refusal", nullptr}};
  if (answer.ending == Ending::refusal) {
    message["content"] = nullptr;
    message["refusal"] = "I can't help with that.";
  }
  if (answer.ending == Ending::content_filter) message["content"] = nullptr;
  const char* finish = answer.ending == Ending::length           ? "length"
                       : answer.ending == Ending::content_filter ? "content_filter"
                                                                 : "stop";
  Ordered body = {
      {"id", "chatcmpl-" + std::to_string(number)},
      {"object", "chat.completion"},
      {"created", kCreatedSeconds},
      {"model", request.model},
      {"choices", {{{"index", 0}, {"message", message}, {"finish_reason", finish}}}},
      {"usage",
       {{"prompt_tokens", prompt}, {"completion_tokens", eval}, {"total_tokens", prompt + eval}}}};
  reply.body = dump(body);
  return reply;
}

ModelReply error_reply(ChatApi api, int status, const std::string& message, const std::string& type,
                       const std::string& code) {
  ModelReply reply;
  reply.status = status;
  if (api == ChatApi::ollama) {
    reply.body = dump(Ordered{{"error", message}});
    return reply;
  }
  Ordered error = {{"message", message},
                   {"type", type},
                   {"param", nullptr},
                   {"code", code.empty() ? Ordered(nullptr) : Ordered(code)}};
  reply.body = dump(Ordered{{"error", error}});
  return reply;
}

}  // namespace skippy::sim
