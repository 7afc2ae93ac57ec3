#include "k8s-adapter/api_executor.hpp"

#include "stdlib/action_plan.hpp"

namespace skippy::k8s {

ApiExecutor::ApiExecutor(Connection connection, const cluster::ClusterView& view,
                         ApiExecutorOptions options)
    : connection_(std::move(connection)), view_(&view), options_(std::move(options)) {}

safety::ExecutionResult ApiExecutor::execute(const safety::ActionRequest& request,
                                             std::int64_t now_ms) {
  sent_.clear();
  safety::ExecutionResult result;
  auto planned = stdlib::plan_action(request, *view_, now_ms);
  if (auto* why = std::get_if<std::string>(&planned)) {
    result.status = safety::ExecutionStatus::PermanentFailure;
    result.message = *why;
    return result;
  }
  const auto& plan = std::get<stdlib::Remediation>(planned);
  result.message = plan.summary;
  auto send = [&](http::Request r, const http::Credentials& credentials) {
    r.user_agent = options_.user_agent;
    http::Response response = http::exchange(r, credentials);
    sent_.push_back({r.method, r.url, response.status, response.error});
    auto status = safety::classify_http_status(response.status);
    if (r.method == "DELETE" && response.status == 404) status = safety::ExecutionStatus::Success;
    if (status != safety::ExecutionStatus::Success) {
      result.status = status;
      result.message = plan.summary + ": " + http::describe(r, response);
      return false;
    }
    return true;
  };
  for (const auto& api : plan.requests) {
    http::Request r;
    r.method = api.method;
    r.url = connection_.server + api.path;
    r.content_type = api.content_type;
    r.body = api.body;
    r.timeout_ms = options_.timeout_ms;
    if (!send(std::move(r), connection_.credentials)) return result;
  }
  if (plan.webhook) {
    http::Request r;
    r.method = "POST";
    r.url = plan.webhook->url;
    r.content_type = "application/json";
    r.body = plan.webhook->body;
    r.timeout_ms = options_.webhook_timeout_ms;
    if (!send(std::move(r), {})) return result;  // a webhook gets no cluster credentials
  }
  return result;
}

}  // namespace skippy::k8s
