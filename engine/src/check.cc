// proxy-wasm-check's rules: the host's load checks (errors), a static look at the start
// function, instantiation without running anything, then this SDK's conventions
// (warnings).
#include "proxy_wasm/engine/check.h"

#include <set>

#include "abi_tables.h"
#include "proxy_wasm/engine/wasm_guest.h"
#include "wabt/binary-reader-ir.h"
#include "wabt/binary-reader.h"
#include "wabt/ir.h"

namespace proxy_wasm::engine {
namespace {

namespace wi = wabt::interp;

const std::vector<CheckRule> kRules = {
    // Errors: what proxy-wasm-cpp-host (and so Envoy) refuses.
    {"wasm-parse", true, "the file is a valid WebAssembly module (the host fails to load the bytecode otherwise)"},
    {"abi-marker", true,
     "a function export proxy_abi_version_0_2_1 (or 0_2_0, 0_1_0): the host scans the exports and refuses a module "
     "without a marker it knows (\"Missing or unknown Proxy-Wasm ABI version\"); proxy_abi_version_vnext (the "
     "vNEXT draft) is checked against the draft's interface instead"},
    {"abi-version", true,
     "ABI 0.2.1 (error for 0.1.0, which this tool cannot check; warning for 0.2.0, which the host loads with "
     "0.2.0's imports and this tool checks and runs as such)"},
    {"import-missing", true,
     "every import is one the host registers for the module's ABI version (env.proxy_* of that version, WASI as "
     "wasi_snapshot_preview1 or wasi_unstable, env.emscripten_notify_memory_growth, env.pthread_equal, a memory, a "
     "table): linking fails on any other (\"missing import\")"},
    {"import-type", true, "each import has the exact type the host registers (linking fails: \"import type mismatch\")"},
    {"memory", true, "a linear memory, exported under any name or imported: the host reads and writes plugin data in it"},
    {"export-signature", true,
     "every export the host looks up (the proxy_on_* callbacks, malloc, proxy_on_memory_allocate, _initialize, "
     "main, _start) has its exact signature (\"Bad function signature\")"},
    {"allocator", true,
     "an allocator export, malloc or proxy_on_memory_allocate (i32) -> i32: the host looks up malloc, then "
     "proxy_on_memory_allocate, and fails the VM without one (\"Wasm module is missing malloc function\")"},
    {"memory-limit", true,
     "the memory's minimum fits the host's VM memory limit (1 GiB, PROXY_WASM_HOST_MAX_WASM_MEMORY_SIZE_BYTES)"},
    {"table-limit", true, "each table's minimum fits the engine's table limit (10,000,000 elements, as V8)"},
    {"start-calls-host", true,
     "the wasm start function (start section) calls no import: engines run it while the host links the module, "
     "before any context exists, so a host function called there has no context to act on"},
    {"instantiate", true, "the module instantiates: data and element segments fit their memory and tables"},
    // Warnings: this SDK's conventions.
    {"marker-shape", false, "the ABI marker is () -> () (the host never calls it)"},
    {"extra-marker", false, "one ABI marker (the host takes the first one it finds in the export section)"},
    {"one-allocator", false,
     "both allocator names, malloc and proxy_on_memory_allocate, on one allocator: any host finds one"},
    {"entry-point", false, "_initialize (a WASI reactor), which hosts call once at start-up"},
    {"memory-name", false, "the memory exported as \"memory\""},
    {"export-not-called", false,
     "no proxy_* export that a host of the module's ABI never calls (callbacks of other ABI versions or of no "
     "version)"},
};

// Exports some SDKs keep from older ABIs or Envoy's pre-spec interface.
const std::set<std::string> kLegacyExports = {
    "proxy_validate_configuration", "proxy_on_request_metadata", "proxy_on_response_metadata",
    "proxy_on_start", "proxy_on_create", "proxy_on_grpc_create_initial_metadata", "proxy_on_grpc_trailing_metadata",
};

// The imports the module's start function may reach (transitively through direct calls;
// an indirect call may reach every function placed in a table). Empty: none.
std::vector<std::string> importsReachedFromStart(const std::vector<uint8_t>& bytes, std::string* start_name) {
  wabt::Module module;
  wabt::Errors errors;
  wabt::ReadBinaryOptions options;
  options.read_debug_names = true;
  options.fail_on_custom_section_error = false;
  options.stop_on_first_error = true;
  if (wabt::Failed(wabt::ReadBinaryIr("module", bytes.data(), bytes.size(), options, &errors, &module)) ||
      module.starts.empty())
    return {};
  auto funcIndex = [&](const wabt::Var& v) -> wabt::Index {
    return v.is_index() ? v.index() : module.GetFuncIndex(v);
  };
  std::vector<wabt::Index> import_index;  // function index -> position in module.imports
  for (size_t i = 0; i < module.imports.size(); ++i)
    if (module.imports[i]->kind() == wabt::ExternalKind::Func) import_index.push_back(wabt::Index(i));

  // Every function a table may hold (for call_indirect).
  std::vector<wabt::Index> table_funcs;
  for (const wabt::ElemSegment* seg : module.elem_segments)
    for (const wabt::ExprList& list : seg->elem_exprs)
      for (const wabt::Expr& e : list)
        if (const auto* ref = wabt::dyn_cast<wabt::RefFuncExpr>(&e)) table_funcs.push_back(funcIndex(ref->var));

  const wabt::Index start = funcIndex(*module.starts.front());
  if (start_name) *start_name = "function " + std::to_string(start);
  std::vector<bool> seen(module.funcs.size(), false);
  std::vector<wabt::Index> pending{start};
  std::set<std::string> reached;
  bool indirect_added = false;
  while (!pending.empty()) {
    const wabt::Index f = pending.back();
    pending.pop_back();
    if (f >= module.funcs.size() || seen[f]) continue;
    seen[f] = true;
    if (f < import_index.size()) {
      const wabt::Import* imp = module.imports[import_index[f]];
      reached.insert(imp->module_name + "." + imp->field_name);
      continue;
    }
    // Walk the body without recursion: nested blocks go on a stack of lists.
    std::vector<const wabt::ExprList*> lists{&module.funcs[f]->exprs};
    while (!lists.empty()) {
      const wabt::ExprList* list = lists.back();
      lists.pop_back();
      for (const wabt::Expr& e : *list) {
        switch (e.type()) {
          case wabt::ExprType::Call:
            pending.push_back(funcIndex(wabt::cast<wabt::CallExpr>(&e)->var));
            break;
          case wabt::ExprType::ReturnCall:
            pending.push_back(funcIndex(wabt::cast<wabt::ReturnCallExpr>(&e)->var));
            break;
          case wabt::ExprType::CallIndirect:
          case wabt::ExprType::ReturnCallIndirect:
          case wabt::ExprType::CallRef:
            if (!indirect_added) {
              indirect_added = true;
              pending.insert(pending.end(), table_funcs.begin(), table_funcs.end());
            }
            break;
          case wabt::ExprType::Block:
            lists.push_back(&wabt::cast<wabt::BlockExpr>(&e)->block.exprs);
            break;
          case wabt::ExprType::Loop:
            lists.push_back(&wabt::cast<wabt::LoopExpr>(&e)->block.exprs);
            break;
          case wabt::ExprType::If: {
            const auto* i = wabt::cast<wabt::IfExpr>(&e);
            lists.push_back(&i->true_.exprs);
            lists.push_back(&i->false_);
            break;
          }
          case wabt::ExprType::Try: {
            const auto* t = wabt::cast<wabt::TryExpr>(&e);
            lists.push_back(&t->block.exprs);
            for (const wabt::Catch& c : t->catches) lists.push_back(&c.exprs);
            break;
          }
          default:
            break;
        }
      }
    }
  }
  if (start_name && start < module.funcs.size() && !module.funcs[start]->name.empty())
    *start_name = "function " + std::to_string(start) + " (" + module.funcs[start]->name + ")";
  return {reached.begin(), reached.end()};
}

}  // namespace

const std::vector<CheckRule>& checkRules() { return kRules; }

const CheckRule* findCheckRule(const std::string& id) {
  for (const CheckRule& r : kRules)
    if (id == r.id) return &r;
  return nullptr;
}

// Instantiates a vNEXT module with every function import bound to a stub (no host speaks
// the draft; nothing is called): its data and element segments must fit.
std::string instantiateWithStubs(const std::vector<uint8_t>& bytes, const std::string& name) {
  wi::ModuleDesc desc;
  std::string error;
  if (!parseModule(bytes.data(), bytes.size(), name, &desc, &error)) return error;
  desc.starts.clear();  // run nothing
  wabt::Features features;
  wi::Store store(features);
  auto module = wi::Module::New(store, std::move(desc));
  wi::RefVec imports;
  for (const wi::ImportType& import : module->import_types()) {
    switch (import.type->kind) {
      case wi::ExternKind::Func: {
        auto func = wi::HostFunc::New(store, *wabt::cast<wi::FuncType>(import.type.get()),
                                      [](wi::Thread&, const wi::Values&, wi::Values&, wi::Trap::Ptr*) {
                                        return wabt::Result::Error;
                                      });
        imports.push_back(func.ref());
        break;
      }
      case wi::ExternKind::Memory:
        imports.push_back(wi::Memory::New(store, *wabt::cast<wi::MemoryType>(import.type.get())).ref());
        break;
      case wi::ExternKind::Table:
        imports.push_back(wi::Table::New(store, *wabt::cast<wi::TableType>(import.type.get())).ref());
        break;
      default:
        return "missing import: " + import.module + "." + import.name;
    }
  }
  wi::Trap::Ptr trap;
  auto instance = wi::Instance::Instantiate(store, module.ref(), imports, &trap);
  if (!instance) return "Failed to instantiate Wasm module: " + (trap ? trap->message() : std::string("unknown error"));
  return "";
}

CheckReport checkWasmModule(const std::vector<uint8_t>& bytes, const std::string& name) {
  CheckReport report;
  auto error = [&](const char* rule, std::string message) { report.errors.push_back({rule, std::move(message)}); };
  auto warn = [&](const char* rule, std::string message) { report.warnings.push_back({rule, std::move(message)}); };

  wi::ModuleDesc desc;
  std::string parse_error;
  if (!parseModule(bytes.data(), bytes.size(), name, &desc, &parse_error)) {
    error("wasm-parse", parse_error);
    return report;
  }
  report.imports = desc.imports.size();
  report.exports = desc.exports.size();

  // 1. The host's load checks.
  const LoadCheck load = loadChecks(desc, {}, /*vnext=*/true);
  for (const LoadProblem& p : load.problems) report.errors.push_back({p.rule, p.message});
  if (load.abi == AbiVersion::V0_2_1) report.abi = "0.2.1";
  const bool vnext = load.abi == AbiVersion::Vnext;
  if (vnext) report.abi = "vNEXT";
  if (load.abi == AbiVersion::V0_2_0) {
    report.abi = "0.2.0";
    warn("abi-version",
         "this tool speaks ABI 0.2.1; the module declares proxy_abi_version_0_2_0: the host library loads it as "
         "ABI 0.2.0 (the callbacks of 0.2.1, its host functions but proxy_get_log_level), and so does this tool");
  }

  // 2. The start function, read, not run.
  std::string start_name;
  const std::vector<std::string> reached = importsReachedFromStart(bytes, &start_name);
  if (!reached.empty()) {
    std::string list;
    for (const std::string& r : reached) list += (list.empty() ? "" : ", ") + r;
    error("start-calls-host", "the wasm start function (" + start_name + ") calls the host: " + list +
                                  "; engines run it while linking the module, before the host has a context (do "
                                  "start-up work in _initialize)");
  }

  // 3. Instantiation (data and element segments), which runs no code: the start function
  // is deferred to start-up by the loader, and nothing starts it here.
  if (load.problems.empty() && vnext) {
    if (std::string message = instantiateWithStubs(bytes, name); !message.empty()) error("instantiate", message);
  } else if (load.problems.empty()) {
    std::string message;
    if (!loadWasmGuest(bytes, &message, name) && !message.empty()) error("instantiate", message);
  }

  // 4. This SDK's conventions.
  auto exported = [&](const std::string& export_name, wi::ExternKind kind) -> const wi::ExportDesc* {
    for (const auto& e : desc.exports)
      if (e.type.name == export_name && e.type.type->kind == kind) return &e;
    return nullptr;
  };
  if (!load.marker.empty()) {
    const auto& type = *wabt::cast<wi::FuncType>(exported(load.marker, wi::ExternKind::Func)->type.type.get());
    if (!type.params.empty() || !type.results.empty())
      warn("marker-shape", load.marker + " should be () -> (), is " + describe(type));
    for (const auto& e : desc.exports) {
      const std::string& n = e.type.name;
      if (n != load.marker && n.rfind(kAbiMarkerPrefix, 0) == 0)
        warn("extra-marker", "exports " + n + " besides " + load.marker + " (the host takes the first it finds: " +
                                 load.marker + ")");
    }
  }
  const bool has_malloc = exported("malloc", wi::ExternKind::Func);
  const bool has_allocate = exported("proxy_on_memory_allocate", wi::ExternKind::Func);
  if (has_malloc != has_allocate)
    warn("one-allocator", std::string("exports only ") + (has_malloc ? "malloc" : "proxy_on_memory_allocate") +
                              " (the host accepts it; this SDK exports both names)");
  if (!exported("_initialize", wi::ExternKind::Func))
    warn("entry-point", exported("_start", wi::ExternKind::Func)
                            ? "no _initialize: a WASI command (_start), which the host runs once at start-up"
                        : !desc.starts.empty()
                            ? "no _initialize: start-up code is the wasm start function, which runs while linking"
                            : "no _initialize (build the plugin as a WASI reactor)");
  if (!exported("memory", wi::ExternKind::Memory)) {
    bool any = false;
    for (const auto& e : desc.exports) any = any || e.type.type->kind == wi::ExternKind::Memory;
    if (any) warn("memory-name", "the memory is not exported as \"memory\"");
  }
  for (const auto& e : desc.exports) {
    const std::string& n = e.type.name;
    if (n.rfind("proxy_", 0) != 0 || n.rfind(kAbiMarkerPrefix, 0) == 0) continue;
    if (vnext) {
      bool draft = false;
      for (const VnextFunction& f : vnextExports()) draft = draft || f.name == n;
      if (!draft) warn("export-not-called", "exports " + n + ", which is no callback of the vNEXT draft");
      continue;
    }
    const ExportSpec* spec = findExport(n);
    if (spec && spec->callback) continue;
    warn("export-not-called", "exports " + n + ", which a v0.2.1 host never calls" +
                                  (kLegacyExports.count(n) ? " (from an older interface)" : ""));
  }
  return report;
}

}  // namespace proxy_wasm::engine
