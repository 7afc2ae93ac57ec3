#include "simulator/controllers/chaos_monkey.hpp"

#include <algorithm>
#include <vector>

#include "simulator/behaviour.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/rest.hpp"
#include "simulator/selectors.hpp"
#include "simulator/timestamps.hpp"

namespace skippy::sim {

void ChaosMonkeys::step(ControllerContext& context) {
  const ResourceType& pods = resource("pods");
  for (const Json& monkey : list_copy(context.store, pods)) {
    if (!pod_active(monkey) || string_at(monkey, "/status/phase") != "Running") continue;
    auto behaviour = behaviour_of(monkey);
    const auto* b = std::get_if<Behaviour>(&behaviour);
    auto started = parse_rfc3339(string_at(monkey, "/status/startTime"));
    if (!b || b->kind != BehaviourKind::ChaosMonkey || !started) continue;
    auto selector = parse_label_selector(b->target_selector);
    const auto* targets = std::get_if<LabelSelector>(&selector);
    if (!targets) continue;
    std::int64_t due = chaos_rounds(*b, *started, context.now_ms);
    std::int64_t& done = rounds_done_[uid_of(monkey)];
    for (; done < due; ++done) {
      std::vector<Json> candidates;
      for (Json& pod : list_copy(context.store, pods, namespace_of(monkey))) {
        auto theirs = behaviour_of(pod);
        const auto* tb = std::get_if<Behaviour>(&theirs);
        bool is_monkey = tb && tb->kind == BehaviourKind::ChaosMonkey;
        if (!is_monkey && pod_active(pod) && string_at(pod, "/status/phase") == "Running" &&
            targets->matches(labels_of(pod)))
          candidates.push_back(std::move(pod));
      }
      if (candidates.empty()) continue;
      std::sort(candidates.begin(), candidates.end(),
                [](const Json& x, const Json& y) { return name_of(x) < name_of(y); });
      const Json& victim = candidates[chaos_victim(*b, done + 1, candidates.size())];
      Json::json_pointer containers("/spec/containers");
      std::string container = victim.contains(containers) && !victim.at(containers).empty()
                                  ? victim.at(containers)[0].value("name", "")
                                  : "";
      context.events.record(context.store, victim, "Normal", "Killing",
                            "Stopping container " + container, "kubelet", context.now_ms);
      delete_object(context.store, {&pods, namespace_of(victim), name_of(victim)},
                    Propagation::Background, context.now_ms);
    }
  }
}

}  // namespace skippy::sim
