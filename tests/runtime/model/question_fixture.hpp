// One ai.analyze() question as the engine would ask it, with every kind of evidence (a
// rising signal, peers, the pod's state, events, outcomes) and every kind of name (namespace,
// pod, node, workload, label values, and an image and a container in event messages), for
// the tests of runtime/model. The names are fields, so that property tests can draw them.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/engine/advisor.hpp"
#include "stdlib/builtins/catalog.hpp"

namespace skippy::test {

inline constexpr std::int64_t kNow = 1'796'644'800'000;  // 2026-12-07T12:00:00Z

struct Names {
  std::string namespace_name = "shop";
  std::string pod = "checkout-7d9f8-x2x4q";
  std::string node = "ip-10-0-3-17.eu-west-1.compute.internal";
  std::string workload = "checkout";
  std::string peer = "checkout-7d9f8-bb21k";
  std::string label = "payments-team";
  std::string image = "registry.example.com/shop/checkout:2.14.1";
  std::string container = "checkout-server";
};

struct QuestionFixture {
  Names names;
  bytecode::Program program;
  bytecode::AdviceRequest request;
  cluster::Pod pod;
  cluster::Workload workload;
  std::deque<cluster::Event> events;
  std::deque<std::vector<engine::HistorySample>> series;
  std::string target_key, workload_key, peer_key;
  engine::AdviceQuestion q;

  explicit QuestionFixture(Names n = {}, std::vector<std::string> messages = {})
      : names(std::move(n)) {
    program.strings = {"memory_leak", "is this pod leaking memory?"};
    auto& policy = program.policies.emplace_back();
    policy.name = 0;
    request.question = 1;
    for (auto a : {"restart", "scale"}) request.allowed_actions.push_back(*stdlib::find_action(a));
    request.has_threshold = true;
    request.threshold = 0.85;
    request.horizon_ms = 600'000;
    request.history_ms = 1'800'000;
    policy.advice.push_back(request);

    pod.meta = {names.namespace_name, names.pod, {{"team", names.label}, {"tier", "1"}}, {}, 0};
    pod.node = names.node;
    pod.workload_kind = "Deployment";
    pod.workload_name = names.workload;
    pod.restarts = 3;
    pod.waiting_reason = "CrashLoopBackOff";
    workload.kind = "Deployment";
    workload.meta = {names.namespace_name, names.workload, {{"team", names.label}}, {}, 0};
    workload.replicas = 3;
    workload.ready_replicas = 2;
    target_key = names.namespace_name + "/" + names.pod;
    workload_key = "Deployment/" + names.namespace_name + "/" + names.workload;
    peer_key = names.namespace_name + "/" + names.peer;

    if (messages.empty()) {
      messages = {"Back-off pulling image \"" + names.image + "\"",
                  "Back-off restarting failed container " + names.container + " in pod " +
                      names.pod + "_" + names.namespace_name + "(5c1d)",
                  "Memory cgroup out of memory: Killed process 4242 on node " + names.node};
    }
    for (const auto& m : messages)
      events.push_back(
          {names.namespace_name, "Pod", names.pod, "BackOff", "Warning", 3, kNow - 20'000, m});

    q.program = &program;
    q.policy = 0;
    q.site = 0;
    q.request = &program.policies[0].advice[0];
    q.target = target_key;
    q.workload = workload_key;
    q.pod = &pod;
    q.workload_object = &workload;
    q.now_ms = kNow;
    q.signals.push_back({"s1", "memory", "", rising(0.6, 0.01)});
    q.peers.push_back({"p1", peer_key, names.node, rising(0.4, 0)});
    for (std::size_t i = 0; i < events.size(); ++i)
      q.events.push_back({"e" + std::to_string(i + 1), &events[i]});
    for (auto a : request.allowed_actions) {
      engine::OutcomeEvidence o;
      o.id = "o" + std::to_string(q.outcomes.size() + 1);
      o.action = a;
      o.action_name = std::string(stdlib::actions()[a].name);
      o.within_ms = 86'400'000;
      o.stats = {2, 1, 1, 0, 90'000};
      q.outcomes.push_back(o);
    }
  }

  // 20 samples every 15 s ending now, from `start` by `step`.
  std::span<const engine::HistorySample> rising(double start, double step) {
    auto& s = series.emplace_back();
    for (int i = 0; i < 20; ++i) s.push_back({kNow - (19 - i) * 15'000, start + step * i});
    return s;
  }

  // Every name the question holds.
  std::vector<std::string> all_names() const {
    return {names.namespace_name, names.pod,   names.node,  names.workload,
            names.peer,           names.label, names.image, names.container};
  }
};

}  // namespace skippy::test
