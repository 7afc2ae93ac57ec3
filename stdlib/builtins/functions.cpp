#include "stdlib/builtins/functions.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "stdlib/builtins/catalog.hpp"

namespace skippy::stdlib {
namespace {

using bytecode::Value;

// Unknown in, unknown out: any unknown argument makes the result unknown.
Value propagate() {
  return Value::unknown(bytecode::UnknownReason::Propagated);
}

Value fn_min(const Value* a) {
  if (a[0].is_unknown() || a[1].is_unknown()) return propagate();
  return Value::of_number(std::min(a[0].number, a[1].number));
}
Value fn_max(const Value* a) {
  if (a[0].is_unknown() || a[1].is_unknown()) return propagate();
  return Value::of_number(std::max(a[0].number, a[1].number));
}
Value fn_abs(const Value* a) {
  if (a[0].is_unknown()) return propagate();
  return Value::of_number(std::fabs(a[0].number));
}
Value fn_clamp(const Value* a) {
  if (a[0].is_unknown() || a[1].is_unknown() || a[2].is_unknown()) return propagate();
  if (a[1].number > a[2].number) return Value::unknown(bytecode::UnknownReason::NotANumber);
  return Value::of_number(std::clamp(a[0].number, a[1].number, a[2].number));
}
Value fn_round(const Value* a) {
  if (a[0].is_unknown()) return propagate();
  return Value::of_number(std::round(a[0].number));
}
Value fn_floor(const Value* a) {
  if (a[0].is_unknown()) return propagate();
  return Value::of_number(std::floor(a[0].number));
}
Value fn_ceil(const Value* a) {
  if (a[0].is_unknown()) return propagate();
  return Value::of_number(std::ceil(a[0].number));
}

// The implementations in the order of their declarations: both read functions.def.
constexpr std::array kTable = {
#define SKIPPY_FUNCTION(name, impl, ...) vm::BuiltinFn{impl},
#include "stdlib/builtins/functions.def"
#undef SKIPPY_FUNCTION
};

struct Tables {
  std::array<std::uint8_t, kTable.size()> arity{};
  std::array<std::uint16_t, kTable.size()> cost{};
  std::array<std::uint8_t, 16> action_params{};
  Tables() {
    auto decls = functions();
    for (std::size_t i = 0; i < kTable.size(); ++i) {
      arity[i] = decls[i].arity;
      cost[i] = decls[i].cost;
    }
    auto acts = actions();
    for (std::size_t i = 0; i < acts.size(); ++i) {
      action_params[i] = static_cast<std::uint8_t>(acts[i].params.size());
    }
  }
};

}  // namespace

std::span<const vm::BuiltinFn> function_table() {
  return kTable;
}

bytecode::LoadLimits load_limits() {
  static const Tables tables;
  bytecode::LoadLimits limits;
  limits.builtin_count = functions().size();
  limits.builtin_arity = tables.arity;
  limits.builtin_cost = tables.cost;
  limits.field_count = fields().size();
  limits.window_function_count = window_functions().size();
  limits.advice_field_count = verdict_fields().size();
  limits.outcome_field_count = outcome_fields().size();
  limits.action_parameter_count = std::span(tables.action_params.data(), actions().size());
  return limits;
}

bytecode::DisasmNames disasm_names() {
  bytecode::DisasmNames names;
  names.builtin = [](std::uint16_t id) {
    auto all = stdlib::functions();
    return id < all.size() ? std::string(all[id].name) : "#" + std::to_string(id);
  };
  names.field = [](std::uint16_t id) {
    auto all = stdlib::fields();
    if (id >= all.size()) return "#" + std::to_string(id);
    return std::string(all[id].owner == stdlib::FieldOwner::Pod ? "pod." : "workload.") +
           std::string(all[id].name);
  };
  names.window_function = [](std::uint16_t id) {
    auto all = stdlib::window_functions();
    return id < all.size() ? std::string(all[id].name) : "#" + std::to_string(id);
  };
  names.verdict_field = [](std::uint16_t id) {
    auto all = stdlib::verdict_fields();
    return id < all.size() ? std::string(all[id].name) : "#" + std::to_string(id);
  };
  names.outcome_field = [](std::uint16_t id) {
    auto all = stdlib::outcome_fields();
    return id < all.size() ? std::string(all[id].name) : "#" + std::to_string(id);
  };
  names.action = [](std::uint16_t id) {
    auto all = stdlib::actions();
    return id < all.size() ? std::string(all[id].name) : "#" + std::to_string(id);
  };
  return names;
}

}  // namespace skippy::stdlib
