// What leaves the process for a model never names the cluster: namespaces, pods, nodes,
// workloads, containers, images and label values are replaced by placeholders such as
// `<pod-1>` wherever they occur in the text (event messages included), and mapped back in
// what the model answers. A placeholder stays the same for a name as long as the redactor
// lives, so the same evidence is the same request (and hits the cache).
//
// Matching is plain text, never a regular expression: at each position the longest known
// name wins, so a name that is part of another name (`web` in `web-1`) is replaced only
// where it stands alone of the longer one, and dots or other punctuation in names mean
// nothing special. Names of fewer than three characters are replaced only as whole words
// (between characters that are not letters, digits, `-`, `_` or `.`), so that a pod called
// `db` does not turn every "db" inside other words into a placeholder; label values that are
// numbers, `true` or `false` are not names and are left as they are. Placeholders use `<` and
// `>`, which no Kubernetes name, label value or image reference can hold.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace skippy::model {

class Redactor {
 public:
  // Learns a name of a kind (namespace, pod, node, workload, container, image, label); the
  // first kind a name was learnt with gives its placeholder.
  void learn(std::string_view kind, std::string_view name);
  // Learns the container names and image references kubelet's event messages spell out:
  // `image "REF"`, `container NAME`, `Container NAME`, `container "NAME"`.
  void learn_from_message(std::string_view message);

  // `text` with every known name replaced by its placeholder.
  std::string redact(std::string_view text) const;
  // `text` with every placeholder this redactor gave replaced by its name (what a model
  // answers, back in the cluster's words); unknown placeholders are left as they are.
  std::string restore(std::string_view text) const;

  std::size_t size() const { return names_.size(); }
  void clear();

 private:
  std::map<std::string, std::string, std::less<>> names_;         // name to placeholder
  std::map<std::string, std::string, std::less<>> placeholders_;  // placeholder to name
  std::map<std::string, std::size_t, std::less<>> counters_;      // per kind
  std::size_t longest_ = 0;
};

}  // namespace skippy::model
