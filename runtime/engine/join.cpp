#include "runtime/engine/join.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace skippy::engine {

const bytecode::InputSlot& source_slot(const bytecode::Policy& policy, std::size_t slot) {
  const auto* s = &policy.inputs[slot];
  while (s->kind == bytecode::InputKind::Window) s = &policy.inputs[s->source];
  return *s;
}

std::vector<std::string> join_labels(const bytecode::Program& program,
                                     const bytecode::Policy& policy,
                                     const bytecode::InputSlot& slot) {
  std::vector<std::string> out;
  for (auto id : slot.by_labels) out.emplace_back(program.string(id));
  if (out.empty()) {
    out.emplace_back("namespace");
    auto kind = policy.selection.kind;
    std::string label(kind == bytecode::TargetKind::Pods ? "pod" : kind_name(kind));
    for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.push_back(std::move(label));
  }
  return out;
}

bool target_join_key(const Target& t, std::span<const std::string> labels, std::string& key) {
  key.clear();
  for (const auto& label : labels) {
    std::string_view v;
    if (label == "namespace")
      v = t.namespace_name;
    else if (label == "pod")
      v = t.pod ? std::string_view(t.pod->meta.name) : std::string_view();
    else if (label == "node")
      v = t.pod ? std::string_view(t.pod->node) : std::string_view();
    else if (t.workload && label.size() == t.workload->kind.size() &&
             std::equal(label.begin(), label.end(), t.workload->kind.begin(), [](char a, char b) {
               return a == std::tolower(static_cast<unsigned char>(b));
             }))
      v = t.workload->meta.name;
    if (v.empty()) return false;  // cannot join on this label: no value for this target
    key.append(v);
    key.push_back('\x1f');
  }
  return true;
}

void JoinIndex::build(std::span<const Target> targets, std::span<const std::string> labels) {
  ++builds_;
  labels_.assign(labels.begin(), labels.end());
  keys_.clear();
  first_.clear();
  ids_.clear();
  next_.clear();
  std::string key;
  for (const auto& t : targets) {
    if (!target_join_key(t, labels_, key)) continue;
    auto [it, inserted] = keys_.try_emplace(key, static_cast<std::uint32_t>(first_.size()));
    if (inserted) first_.push_back(kEnd);
    auto k = it->second;
    next_.push_back(first_[k]);
    first_[k] = static_cast<std::uint32_t>(ids_.size());
    ids_.push_back(t.id);
  }
}

std::uint32_t JoinedColumn::find_key(std::size_t i, const JoinIndex& index) {
  if (i < last_keys_.size() && last_keys_[i] == key_) return last_k_[i];
  auto found = index.keys_.find(key_);
  std::uint32_t k = found == index.keys_.end() ? kNoKey : found->second;
  if (i >= last_keys_.size()) {
    last_keys_.resize(i + 1);
    last_k_.resize(i + 1, kNoKey);
  }
  last_keys_[i] = key_;
  last_k_[i] = k;
  return k;
}

void JoinedColumn::join(const VectorView& vector, const JoinIndex& index,
                        bytecode::Aggregation aggregation, std::size_t id_count) {
  if (last_index_ != &index || last_builds_ != index.builds()) {
    last_keys_.clear();  // keys found against another index
    last_k_.clear();
    last_index_ = &index;
    last_builds_ = index.builds();
  }
  acc_.assign(index.first_.size(), Accumulator{});
  for (std::size_t i = 0; i < vector.size(); ++i) {
    key_.clear();
    bool complete = true;
    for (const auto& l : index.labels_) {
      auto v = vector.label(i, l);
      if (v.empty()) {
        complete = false;
        break;
      }
      key_.append(v);
      key_.push_back('\x1f');
    }
    if (!complete) continue;
    auto k = find_key(i, index);
    if (k == kNoKey) continue;  // no target has this key
    Accumulator& a = acc_[k];
    double v = vector.value(i);
    if (std::isnan(v)) {
      if (!a.seen) a.value = v;
      a.seen = true;
      continue;
    }
    a.seen = true;
    if (a.count == 0) {  // the first sample that is a number
      a.value = v;
    } else {
      switch (aggregation) {
        case bytecode::Aggregation::Max:
          a.value = std::max(a.value, v);
          break;
        case bytecode::Aggregation::Min:
          a.value = std::min(a.value, v);
          break;
        case bytecode::Aggregation::Sum:
        case bytecode::Aggregation::Avg:
          a.value += v;
          break;
        case bytecode::Aggregation::Count:
          break;
        case bytecode::Aggregation::None:
          a.value = std::nan("");
          break;  // several series, no way to choose
      }
    }
    a.count += 1;
  }
  values_.resize(id_count);
  present_.assign(id_count, 0);
  for (std::size_t k = 0; k < acc_.size(); ++k) {
    const Accumulator& a = acc_[k];
    if (!a.seen) continue;
    double v = a.value;
    if (aggregation == bytecode::Aggregation::Avg && a.count > 0) v /= a.count;
    if (aggregation == bytecode::Aggregation::Count) v = a.count;
    for (auto e = index.first_[k]; e != JoinIndex::kEnd; e = index.next_[e]) {
      values_[index.ids_[e]] = v;
      present_[index.ids_[e]] = 1;
    }
  }
}

}  // namespace skippy::engine
