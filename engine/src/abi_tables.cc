// The import and export tables, the generic binder that derives each import's wasm type
// from its C++ signature, and the load checks.
#include "abi_tables.h"

#include <type_traits>
#include <utility>

#include "proxy_wasm/abi/vnext.h"
#include "proxy_wasm/host/abi_adapter.h"
#include "wabt/binary-reader.h"
#include "wabt/error-formatter.h"
#include "wabt/interp/binary-reader-interp.h"
#include "wasi.h"

namespace proxy_wasm::engine {
namespace {

using wabt::interp::ExternKind;
using wabt::interp::FuncType;
using wabt::interp::Value;
using wabt::interp::Values;
using wabt::interp::ValueType;
using wabt::interp::ValueTypes;

// C++ parameter type -> wasm value type, and how to unpack it.
template <class T>
struct WasmType;
template <>
struct WasmType<uint32_t> {
  static constexpr ValueType::Enum kType = ValueType::I32;
  static uint32_t get(const Value& v) { return v.Get<uint32_t>(); }
};
template <>
struct WasmType<uint64_t> {
  static constexpr ValueType::Enum kType = ValueType::I64;
  static uint64_t get(const Value& v) { return v.Get<uint64_t>(); }
};
template <>
struct WasmType<int64_t> {
  static constexpr ValueType::Enum kType = ValueType::I64;
  static int64_t get(const Value& v) { return static_cast<int64_t>(v.Get<uint64_t>()); }
};

template <class R, class... Args, size_t... I>
uint32_t callWith(R (*f)(host::Model&, WasmMemory&, Args...), host::Model& h, WasmMemory& m, const Values& v,
                  std::index_sequence<I...>) {
  if constexpr (std::is_void_v<R>) {
    f(h, m, WasmType<Args>::get(v[I])...);
    return 0;
  } else {
    static_assert(std::is_same_v<R, uint32_t>, "host functions return an i32 status or nothing");
    return f(h, m, WasmType<Args>::get(v[I])...);
  }
}

template <class R, class... Args>
uint32_t invoke(void (*erased)(), host::Model& h, WasmMemory& m, const Values& v) {
  auto f = reinterpret_cast<R (*)(host::Model&, WasmMemory&, Args...)>(erased);
  return callWith(f, h, m, v, std::index_sequence_for<Args...>{});
}

template <class R, class... Args>
ImportSpec makeImport(const char* module, const char* name, ImportKind kind, R (*f)(host::Model&, WasmMemory&, Args...),
                      bool startup, bool allocator) {
  ValueTypes params{ValueType(WasmType<Args>::kType)...};
  ValueTypes results;
  if constexpr (!std::is_void_v<R>) results.push_back(ValueType::I32);
  return ImportSpec{module,  name,      FuncType(params, results), kind, startup, allocator,
                    reinterpret_cast<void (*)()>(f), &invoke<R, Args...>};
}

std::vector<ImportSpec> buildImports() {
  std::vector<ImportSpec> t;
  // The proxy_* functions: one generic binding per adapter; restrictions are decided by
  // the host model (Model::allowed), so both flags are true here.
  host::abi::forEachHostFunction<WasmMemory>([&](const char* name, auto fn) {
    t.push_back(makeImport("env", name, ImportKind::Proxy, fn, true, true));
  });

  using wasi::u32;
  using wasi::u64;
  for (const char* module : {"wasi_snapshot_preview1", "wasi_unstable"}) {
    // S: allowed during _initialize; A: also allowed inside the allocator.
    enum { No = 0, S = 1, SA = 3 };
    auto add = [&](const char* name, auto fn, int policy) {
      t.push_back(makeImport(module, name, ImportKind::Wasi, fn, policy & 1, policy & 2));
    };
    add("args_get", &wasi::args_get, S);
    add("args_sizes_get", &wasi::args_sizes_get, S);
    add("environ_get", &wasi::environ_get, S);
    add("environ_sizes_get", &wasi::environ_sizes_get, S);
    add("clock_res_get", &wasi::clock_res_get, S);
    add("clock_time_get", &wasi::clock_time_get, SA);
    add("fd_advise", &wasi::fixed<wasi::kSuccess, u32, u64, u64, u32>, S);
    add("fd_allocate", &wasi::stdioOnly<u64, u64>, S);
    add("fd_close", &wasi::fd_close, No);
    add("fd_datasync", &wasi::stdioOnly<>, S);
    add("fd_fdstat_get", &wasi::fd_fdstat_get, S);
    add("fd_fdstat_set_flags", &wasi::fixed<52, u32, u32>, S);
    add("fd_fdstat_set_rights", &wasi::stdioOnly<u64, u64>, S);
    add("fd_filestat_get", &wasi::fixed<wasi::kBadf, u32, u32>, S);
    add("fd_filestat_set_size", &wasi::stdioOnly<u64>, S);
    add("fd_filestat_set_times", &wasi::stdioOnly<u64, u64, u32>, S);
    add("fd_pread", &wasi::fixed<52, u32, u32, u32, u64, u32>, S);
    add("fd_prestat_get", &wasi::fixed<wasi::kBadf, u32, u32>, S);
    add("fd_prestat_dir_name", &wasi::fixed<52, u32, u32, u32>, S);
    add("fd_pwrite", &wasi::fd_pwrite, S);
    add("fd_read", &wasi::fixed<52, u32, u32, u32, u32>, No);
    add("fd_readdir", &wasi::fixed<20, u32, u32, u32, u64, u32>, S);
    add("fd_renumber", &wasi::fd_renumber, S);
    add("fd_seek", &wasi::fd_seek, No);
    add("fd_sync", &wasi::stdioOnly<>, S);
    add("fd_tell", &wasi::fd_tell, S);
    add("fd_write", &wasi::fd_write, SA);
    add("path_create_directory", &wasi::fixed<wasi::kNotsup, u32, u32, u32>, S);
    add("path_filestat_get", &wasi::path_filestat_get, S);
    add("path_filestat_set_times", &wasi::fixed<wasi::kNotsup, u32, u32, u32, u32, u64, u64, u32>, S);
    // Envoy's host declares path_link with 6 and path_symlink with 4 parameters (WASI: 7
    // and 5); kept as declared there, so a module importing them fails as it would there.
    add("path_link", &wasi::fixed<wasi::kNotsup, u32, u32, u32, u32, u32, u32>, S);
    add("path_open", &wasi::fixed<44, u32, u32, u32, u32, u32, u64, u64, u32, u32>, No);
    add("path_readlink", &wasi::path_readlink, S);
    add("path_remove_directory", &wasi::fixed<wasi::kNotsup, u32, u32, u32>, S);
    add("path_rename", &wasi::fixed<wasi::kNotsup, u32, u32, u32, u32, u32, u32>, S);
    add("path_symlink", &wasi::fixed<wasi::kNotsup, u32, u32, u32, u32>, S);
    add("path_unlink_file", &wasi::fixed<wasi::kNotsup, u32, u32, u32>, S);
    add("poll_oneoff", &wasi::poll_oneoff, SA);
    add("proc_exit", &wasi::proc_exit, No);
    add("random_get", &wasi::random_get, S);
    add("sched_yield", &wasi::sched_yield, No);
    add("sock_accept", &wasi::sock_accept, S);
    add("sock_recv", &wasi::sock_recv, S);
    add("sock_send", &wasi::sock_send, S);
    add("sock_shutdown", &wasi::fixed<wasi::kNotsup, u32, u32>, S);
  }
  t.push_back(makeImport("env", "emscripten_notify_memory_growth", ImportKind::Extra,
                         &wasi::emscripten_notify_memory_growth, true, false));
  t.push_back(makeImport("env", "pthread_equal", ImportKind::Extra, &wasi::pthread_equal, false, false));
  return t;
}

FuncType i32Signature(unsigned params, bool result) {
  return FuncType(ValueTypes(params, ValueType::I32), result ? ValueTypes{ValueType::I32} : ValueTypes{});
}

std::vector<ExportSpec> buildExports() {
  std::vector<ExportSpec> t;
  for (uint32_t i = 0; i < static_cast<uint32_t>(host::Callback::Count_); ++i) {
    const auto cb = static_cast<host::Callback>(i);
    const host::CallbackInfo& info = host::callbackInfo(cb);
    t.push_back({info.export_name, i32Signature(info.params, info.has_result), cb});
  }
  t.push_back({"malloc", i32Signature(1, true), host::Callback::MemoryAllocate});
  t.push_back({"_start", i32Signature(0, false), std::nullopt});
  t.push_back({"main", i32Signature(2, true), std::nullopt});
  t.push_back({"__main_void", i32Signature(0, true), std::nullopt});
  return t;
}

bool sameType(const FuncType& a, const FuncType& b) {
  auto same = [](const ValueTypes& x, const ValueTypes& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (ValueType::Enum(x[i]) != ValueType::Enum(y[i])) return false;
    return true;
  };
  return same(a.params, b.params) && same(a.results, b.results);
}

// A wasm32 type from a C declaration's text, as the draft's lists spell it: "(uint32_t a,
// const char* b, size_t c)". Pointers, size_t and 32-bit integers are i32; 64-bit integers
// (not through a pointer) are i64.
ValueTypes wasm32Params(std::string_view params) {
  ValueTypes out;
  if (params.size() >= 2 && params.front() == '(') params = params.substr(1, params.size() - 2);
  while (!params.empty()) {
    const size_t comma = params.find(',');
    std::string_view p = params.substr(0, comma);
    params = comma == std::string_view::npos ? std::string_view() : params.substr(comma + 1);
    while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
    if (p.empty()) continue;
    const bool pointer = p.find('*') != std::string_view::npos;
    const bool wide = p.rfind("uint64_t", 0) == 0 || p.rfind("int64_t", 0) == 0;
    out.push_back(!pointer && wide ? ValueType::I64 : ValueType::I32);
  }
  return out;
}

std::vector<VnextFunction> buildVnextImports() {
  std::vector<VnextFunction> t;
#define PROXY_WASM_VNEXT_IMPORT_SPEC(name, params, args, statuses) \
  t.push_back({#name, FuncType(wasm32Params(#params), ValueTypes{ValueType::I32})});
  PROXY_WASM_ABI_VNEXT_IMPORTS(PROXY_WASM_VNEXT_IMPORT_SPEC)
#undef PROXY_WASM_VNEXT_IMPORT_SPEC
  return t;
}

std::vector<VnextFunction> buildVnextExports() {
  std::vector<VnextFunction> t;
#define PROXY_WASM_VNEXT_EXPORT_SPEC(name, result, params, args)                        \
  t.push_back({#name, FuncType(wasm32Params(#params), std::string_view(#result) == "void" \
                                                          ? ValueTypes{}                   \
                                                          : ValueTypes{ValueType::I32})});
  PROXY_WASM_ABI_VNEXT_EXPORTS(PROXY_WASM_VNEXT_EXPORT_SPEC)
#undef PROXY_WASM_VNEXT_EXPORT_SPEC
  t.push_back({"malloc", FuncType(ValueTypes{ValueType::I32}, ValueTypes{ValueType::I32})});
  t.push_back({"_initialize", FuncType(ValueTypes{}, ValueTypes{})});
  return t;
}

const VnextFunction* findVnext(const std::vector<VnextFunction>& table, std::string_view name) {
  for (const VnextFunction& f : table)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace

const std::vector<VnextFunction>& vnextImports() {
  static const std::vector<VnextFunction> table = buildVnextImports();
  return table;
}

const std::vector<VnextFunction>& vnextExports() {
  static const std::vector<VnextFunction> table = buildVnextExports();
  return table;
}

const std::vector<ImportSpec>& importTable() {
  static const std::vector<ImportSpec> table = buildImports();
  return table;
}

const ImportSpec* findImport(std::string_view module, std::string_view name) {
  for (const ImportSpec& s : importTable())
    if (s.module == module && s.name == name) return &s;
  return nullptr;
}

const std::vector<ExportSpec>& exportTable() {
  static const std::vector<ExportSpec> table = buildExports();
  return table;
}

const ExportSpec* findExport(std::string_view name) {
  for (const ExportSpec& s : exportTable())
    if (s.name == name) return &s;
  return nullptr;
}

std::string describe(const FuncType& type) {
  auto list = [](const ValueTypes& types) {
    std::string out = "(";
    for (size_t i = 0; i < types.size(); ++i) out += (i ? ", " : "") + types[i].GetName();
    return out + ")";
  };
  return list(type.params) + " -> " + list(type.results);
}

LoadCheck loadChecks(const wabt::interp::ModuleDesc& module, const EngineOptions& limits, bool vnext) {
  LoadCheck out;
  auto problem = [&](const char* rule, std::string message) { out.problems.push_back({rule, std::move(message)}); };

  // 1. The ABI version: the first function export named like a known marker decides.
  std::string unknown_marker;
  for (const auto& e : module.exports) {
    if (e.type.type->kind != ExternKind::Func) continue;
    const std::string& n = e.type.name;
    if (n == kAbiMarker) {
      out.abi = AbiVersion::V0_2_1;
    } else if (n == "proxy_abi_version_0_2_0") {
      out.abi = AbiVersion::V0_2_0;
    } else if (n == "proxy_abi_version_0_1_0") {
      out.abi = AbiVersion::V0_1_0;
    } else {
      if (unknown_marker.empty() && n.rfind(kAbiMarkerPrefix, 0) == 0) unknown_marker = n;
      continue;
    }
    out.marker = n;
    break;
  }
  if (out.abi == AbiVersion::Unknown && vnext && unknown_marker == kVnextMarker) {
    out.abi = AbiVersion::Vnext;
    out.marker = unknown_marker;
  }
  if (out.abi == AbiVersion::Unknown) {
    std::string message = "Missing or unknown Proxy-Wasm ABI version";
    if (unknown_marker == "proxy_abi_version_vnext") {
      message += ": the module exports proxy_abi_version_vnext, the marker of the unreleased draft ABI, which "
                 "proxy-wasm-cpp-host does not know; this tool speaks ABI 0.2.1 (export proxy_abi_version_0_2_1)";
    } else if (!unknown_marker.empty()) {
      message += ": the module exports " + unknown_marker +
                 ", which proxy-wasm-cpp-host does not know; this tool speaks ABI 0.2.1 (export " + kAbiMarker + ")";
    } else {
      message += ": no function export proxy_abi_version_0_2_1 (nor 0_2_0 or 0_1_0)";
    }
    problem("abi-marker", message);
    return out;  // without a version the host registers nothing
  }
  if (out.abi == AbiVersion::V0_1_0) {
    problem("abi-version",
            "this tool speaks ABI 0.2.1; the module declares proxy_abi_version_0_1_0 (ABI 0.1.0: other host "
            "functions, two-argument header callbacks), which it can neither check nor run");
    return out;
  }

  // 2. Every import must be one the host registers for that version, with the same type.
  bool has_memory = false;
  for (const auto& i : module.imports) {
    const auto& t = i.type;
    const std::string qualified = t.module + "." + t.name;
    switch (t.type->kind) {
      case ExternKind::Func: {
        if (out.abi == AbiVersion::Vnext && t.module == "env" && t.name.rfind("proxy_", 0) == 0) {
          // The draft's host functions, with the draft's types.
          const VnextFunction* draft = findVnext(vnextImports(), t.name);
          if (!draft) {
            problem("import-missing", "the vNEXT draft has no host function " + qualified +
                                          (findImport(t.module, t.name) ? " (it is ABI 0.2.1's)" : ""));
            break;
          }
          const auto& got = *wabt::cast<FuncType>(t.type.get());
          if (!sameType(draft->type, got))
            problem("import-type", "import type mismatch: " + qualified + " (the draft's is " +
                                       describe(draft->type) + ", got " + describe(got) + ")");
          break;
        }
        const ImportSpec* spec = findImport(t.module, t.name);
        if (!spec || (out.abi == AbiVersion::V0_2_0 && qualified == "env.proxy_get_log_level")) {
          problem("import-missing", "Failed to load Wasm module due to a missing import: " + qualified);
          break;
        }
        const auto& got = *wabt::cast<FuncType>(t.type.get());
        if (!sameType(spec->type, got))
          problem("import-type", "Failed to load Wasm module due to an import type mismatch: " + qualified +
                                     " (want " + describe(spec->type) + ", got " + describe(got) + ")");
        break;
      }
      case ExternKind::Memory:  // provided by the engine, as the host library does
        has_memory = true;
        break;
      case ExternKind::Table:
        break;
      default:
        problem("import-missing", "Failed to load Wasm module due to a missing import: " + qualified +
                                      " (hosts provide functions, a memory and a table, no globals or tags)");
    }
  }

  // 3. A linear memory the host can reach: exported under any name, or imported.
  for (const auto& e : module.exports)
    if (e.type.type->kind == ExternKind::Memory) has_memory = true;
  if (!has_memory) problem("memory", "Wasm module has no memory (export its linear memory)");

  // 4. Every export the host recognises must have its exact signature.
  bool has_allocator = false;
  for (const auto& e : module.exports) {
    if (out.abi == AbiVersion::Vnext) {
      const VnextFunction* draft = findVnext(vnextExports(), e.type.name);
      if (!draft) continue;
      if (e.type.type->kind != ExternKind::Func) {
        problem("export-signature", "Bad function signature for: " + e.type.name + " (not a function)");
        continue;
      }
      const auto& got = *wabt::cast<FuncType>(e.type.type.get());
      if (!sameType(draft->type, got))
        problem("export-signature", "Bad function signature for: " + e.type.name + " (the draft's is " +
                                        describe(draft->type) + ", got " + describe(got) + ")");
      else if (e.type.name == "malloc" || e.type.name == "proxy_on_memory_allocate")
        has_allocator = true;
      continue;
    }
    const ExportSpec* spec = findExport(e.type.name);
    if (!spec) continue;
    if (e.type.type->kind != ExternKind::Func) {
      problem("export-signature", "Bad function signature for: " + e.type.name + " (not a function)");
      continue;
    }
    const auto& got = *wabt::cast<FuncType>(e.type.type.get());
    if (!sameType(spec->type, got)) {
      problem("export-signature", "Bad function signature for: " + e.type.name + " (want " + describe(spec->type) +
                                      ", got " + describe(got) + ")");
      continue;
    }
    if (spec->callback == host::Callback::MemoryAllocate) has_allocator = true;
  }

  // vNEXT: the callbacks ngx_wasm_module requires of a draft module.
  if (out.abi == AbiVersion::Vnext) {
    for (const char* required : kVnextRequiredExports) {
      bool found = false;
      for (const auto& e : module.exports) found = found || e.type.name == required;
      if (!found)
        problem("export-signature", std::string("a vNEXT module must export ") + required +
                                        " (ngx_wasm_module refuses one without it)");
    }
  }

  // 5. The allocator, under either name.
  if (!has_allocator)
    problem("allocator", "Wasm module is missing malloc function (export proxy_on_memory_allocate or malloc)");

  // 6. Memory and table minimums the VM can hold.
  constexpr uint64_t kPage = 64 * 1024;
  const uint64_t max_pages = limits.max_memory_bytes / kPage;
  auto memory = [&](const wabt::Limits& l, const std::string& what) {
    if (l.initial > max_pages)
      problem("memory-limit", "Failed to load Wasm module: " + what + " needs " + std::to_string(l.initial) +
                                  " pages (" + std::to_string(l.initial * kPage) +
                                  " bytes) at least, over the VM memory limit of " +
                                  std::to_string(limits.max_memory_bytes) + " bytes (" + std::to_string(max_pages) +
                                  " pages)");
  };
  auto table = [&](const wabt::Limits& l, const std::string& what) {
    if (l.initial > limits.max_table_elements)
      problem("table-limit", "Failed to load Wasm module: " + what + " needs " + std::to_string(l.initial) +
                                 " elements at least, over the table limit of " +
                                 std::to_string(limits.max_table_elements));
  };
  for (const auto& i : module.imports) {
    const std::string what = "the imported " + i.type.module + "." + i.type.name;
    if (const auto* m = wabt::dyn_cast<wabt::interp::MemoryType>(i.type.type.get())) memory(m->limits, what + " memory");
    if (const auto* t = wabt::dyn_cast<wabt::interp::TableType>(i.type.type.get())) table(t->limits, what + " table");
  }
  for (const auto& m : module.memories) memory(m.type.limits, "its memory");
  for (const auto& t : module.tables) table(t.type.limits, "a table");
  return out;
}

std::string checkModule(const wabt::interp::ModuleDesc& module, const EngineOptions& limits) {
  LoadCheck check = loadChecks(module, limits);
  return check.problems.empty() ? std::string() : check.problems.front().message;
}

bool parseModule(const uint8_t* data, size_t size, std::string_view name, wabt::interp::ModuleDesc* out,
                 std::string* error) {
  wabt::Errors errors;
  wabt::ReadBinaryOptions options;
  options.read_debug_names = false;
  options.stop_on_first_error = true;
  options.fail_on_custom_section_error = false;  // engines ignore malformed custom sections
  if (wabt::Succeeded(wabt::interp::ReadBinaryInterp(name, data, size, options, &errors, out))) return true;
  std::string text = wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (error) *error = "Failed to parse Wasm module: " + text;
  return false;
}

}  // namespace proxy_wasm::engine
