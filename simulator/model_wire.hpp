// The two chat APIs the model stand-in (model_stand_in.hpp) speaks, without HTTP: Ollama's
// POST /api/chat and the OpenAI-compatible POST /v1/chat/completions. What it reads of a
// request's body, and the bodies of its answers and errors in each API's shape.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "simulator/model_answers.hpp"

namespace skippy::sim {

enum class ChatApi { ollama, openai };

// One HTTP reply of the stand-in: status, more headers, body (JSON unless said), and how long
// to wait before sending it.
struct ModelReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type/Length
  std::string body;
  std::int64_t delay_ms = 0;
};

// What the stand-in reads of a chat request's body.
struct ChatRequest {
  std::string model;
  std::string user_content;       // the last "user" message's content
  std::size_t message_bytes = 0;  // of every message's content, for the prompt's token count
};

// The request, or the 400 reply the API gives a body that is not JSON, has no model, no
// messages, or asks for a stream. Never throws.
std::variant<ChatRequest, ModelReply> read_chat_request(ChatApi api, std::string_view body);

// The 200 reply carrying `answer`: Ollama's message with done_reason, or OpenAI's chat.completion
// with finish_reason (and a refusal). `number` makes OpenAI's id ("chatcmpl-7"). Token counts
// are a quarter of the bytes, at least 1.
ModelReply answer_reply(ChatApi api, const ChatRequest& request, const HostileAnswer& answer,
                        std::uint64_t number);

// An error reply in the API's shape: Ollama's {"error": message}, OpenAI's {"error": {message,
// type, param: null, code}} (code null when empty).
ModelReply error_reply(ChatApi api, int status, const std::string& message,
                       const std::string& type = "", const std::string& code = "");

}  // namespace skippy::sim
