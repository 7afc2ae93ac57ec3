// What a patch written in a policy may change on each kind of object Skippy patches: one
// table of rules per kind (patch_paths.cpp), read by the compiler (E0354) and by the
// translator. A patch in a policy is a literal, so the fields it changes are known before
// anything runs: a pod template patched on a Pod, a Pod's immutable spec, a workload's
// containers outside its template are mistakes to catch here, not on the API server at 3 a.m.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skippy::dsl {

enum class PatchType { Strategic, Merge, Json };

// Where a patch's text names a segment: the key, or a JSON patch operation's `path`.
struct PatchMark {
  std::size_t offset = 0;  // in bytes from the start of the patch text
  std::size_t length = 0;  // 0: unknown
};

// One field a patch sets or removes, as segments ("spec", "template", ...; "[*]" for any
// element of a list), each with where the patch text names it.
struct PatchPath {
  std::vector<std::string> segments;
  std::vector<PatchMark> marks;  // one per segment
  std::optional<double> number;  // the value written, when it is a number
};

// "spec.template.spec.containers[*].image"; the first `depth` segments only, when given.
std::string patch_path_text(const PatchPath& path, std::size_t depth = SIZE_MAX);

// The fields a patch changes: for a strategic or merge patch every leaf of the document
// (strategic `$` directives left out; a list's elements under "[*]"); for a JSON patch each
// operation's `path` (and a `move`'s `from`), with the leaves of an object value below it,
// `test` operations left out. nullopt when the text is neither JSON nor YAML, has the wrong
// shape for `type` (E0322 and E0323 say so), or is too large to walk once its YAML aliases
// are followed (dsl::patch_too_large, E0322).
std::optional<std::vector<PatchPath>> patch_paths(std::string_view text, PatchType type);

// The kinds a patch can be aimed at: a target's own kind, or any workload that may own a pod
// (`patch(of: owner, ...)`).
enum class PatchTarget { Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, OwningWorkload };

struct PatchProblem {
  std::size_t path;   // index into the paths checked
  std::size_t depth;  // how many of its segments the refusing rule covers: `spec.template` is 2
  std::string why;    // "a Pod has no pod template"
  std::string hint;   // what to write instead
};

// The first path that an object of `target` cannot take, with why; nullopt when all can.
std::optional<PatchProblem> check_patch_paths(PatchTarget target,
                                              const std::vector<PatchPath>& paths);

// "a Pod", "a Deployment", ..., "the pod's owning workload"
std::string_view patch_target_name(PatchTarget target);

}  // namespace skippy::dsl
