// The safety runtime's executor for a Kubernetes API server: each decided action is planned
// into API requests (stdlib/action_plan.hpp) against the cluster as the view shows it now and
// sent in order with the connection's credentials; `notify` posts its event to its webhook.
// The result is classified as the retry rules want it: a 2xx is success, no answer, 408, 429
// and most 5xx are transient, any other status is permanent. A DELETE answered 404 succeeded:
// the object is gone, which is what was asked (a retry after a lost answer finds it so).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "k8s-adapter/kubeconfig.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/safety/executor.hpp"

namespace skippy::k8s {

struct ApiExecutorOptions {
  std::int64_t timeout_ms = 10'000;         // per API request
  std::int64_t webhook_timeout_ms = 5'000;  // per webhook post
  std::string user_agent = "skippy";
};

// One request sent, for the log and the audit record.
struct SentRequest {
  std::string method;
  std::string url;
  int status = 0;     // 0: no answer
  std::string error;  // what went wrong, when something did
};

class ApiExecutor final : public safety::Executor {
 public:
  // `view` is read at each execution: it must outlive the executor, or be replaced first.
  ApiExecutor(Connection connection, const cluster::ClusterView& view,
              ApiExecutorOptions options = {});

  void set_view(const cluster::ClusterView& view) { view_ = &view; }
  safety::ExecutionResult execute(const safety::ActionRequest& request,
                                  std::int64_t now_ms) override;
  // The requests of the last execute(), in order.
  const std::vector<SentRequest>& last_requests() const { return sent_; }

 private:
  Connection connection_;
  const cluster::ClusterView* view_;
  ApiExecutorOptions options_;
  std::vector<SentRequest> sent_;
};

}  // namespace skippy::k8s
