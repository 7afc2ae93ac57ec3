#include "runtime/bytecode/program.hpp"

namespace skippy::bytecode {

const char* truth_name(Truth t) {
  switch (t) {
    case Truth::False:
      return "false";
    case Truth::True:
      return "true";
    case Truth::Unknown:
      return "unknown";
  }
  return "unknown";
}

const char* unknown_reason_name(UnknownReason r) {
  switch (r) {
    case UnknownReason::Missing:
      return "missing data";
    case UnknownReason::NotANumber:
      return "not a number";
    case UnknownReason::DivisionByZero:
      return "division by zero";
    case UnknownReason::NotApplicable:
      return "not applicable to this target";
    case UnknownReason::Propagated:
      return "computed from unknown values";
  }
  return "unknown";
}

const char* mode_name(Mode m) {
  static const char* names[] = {"monitor", "dryrun", "manual", "automatic"};
  return names[static_cast<int>(m) & 3];
}

const char* target_kind_name(TargetKind k) {
  static const char* names[] = {"pods", "deployments", "statefulsets", "daemonsets", "replicasets"};
  auto i = static_cast<std::size_t>(k);
  return i < 5 ? names[i] : "?";
}

const char* aggregation_name(Aggregation a) {
  static const char* names[] = {"none", "max", "min", "avg", "sum", "count"};
  auto i = static_cast<std::size_t>(a);
  return i < 6 ? names[i] : "?";
}

const char* missing_kind_name(MissingKind m) {
  static const char* names[] = {"unknown", "hold", "zero"};
  auto i = static_cast<std::size_t>(m);
  return i < 3 ? names[i] : "?";
}

const char* input_kind_name(InputKind k) {
  static const char* names[] = {"promql", "field", "events", "window", "advice", "outcome"};
  auto i = static_cast<std::size_t>(k);
  return i < 6 ? names[i] : "?";
}

const char* label_op_name(LabelOp op) {
  static const char* names[] = {"==", "!=", "in", "not in", "exists", "not exists"};
  auto i = static_cast<std::size_t>(op);
  return i < 6 ? names[i] : "?";
}

PolicyConstants materialize_constants(const Program& program, const Policy& policy) {
  PolicyConstants out;
  out.values.reserve(policy.constants.size());
  out.lists.resize(policy.constants.size());
  auto scalar = [&](const Constant& c) {
    switch (c.kind) {
      case ConstantKind::Number:
        return Value::of_number(c.number);
      case ConstantKind::Bool:
        return Value::of_bool(c.boolean);
      case ConstantKind::String:
        return Value::of_string(program.string(c.string));
      case ConstantKind::List:
        break;
    }
    return Value::unknown();
  };
  for (std::size_t i = 0; i < policy.constants.size(); ++i) {
    const Constant& c = policy.constants[i];
    out.values.push_back(scalar(c));
    if (c.kind == ConstantKind::List) {
      for (auto item : c.items) out.lists[i].push_back(scalar(policy.constants[item]));
    }
  }
  return out;
}

std::string source_hash_hex(const Program& program) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (auto b : program.source_hash) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace skippy::bytecode
