// The engine's Guest: a module in wabt's interpreter. Every import is bound through the
// tables in abi_tables.cc (the proxy_* ones to the host model's ABI adapters), and
// callbacks run on one interpreter thread, re-entered when a host function calls the
// module's allocator.
#include "proxy_wasm/engine/wasm_guest.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <new>
#include <optional>
#include <system_error>
#include <utility>

#include "abi_tables.h"
#include "bounded_call.h"
#include "proxy_wasm/host/abi_adapter.h"
#include "wasm_memory.h"

namespace proxy_wasm::engine {
namespace {

namespace wi = wabt::interp;
using host::Callback;
using host::CallResult;

class WasmGuest final : public host::Guest {
 public:
  WasmGuest(std::string name, const EngineOptions& options) : name_(std::move(name)), options_(options) {}

  bool load(const std::vector<uint8_t>& bytes, std::string* error);

  bool has(Callback cb) const override {
    if (cb == Callback::Initialize) return bool(initialize_) || bool(start_) || bool(start_function_);
    return cb < Callback::Count_ && bool(callbacks_[size_t(cb)]);
  }
  CallResult call(Callback cb, std::initializer_list<uint32_t> args) override;
  std::string describe() const override { return name_; }
  void attach(host::Model& model) override { model_ = &model; }
  uint64_t memoryBytes() const override { return memory_ ? memory_->ByteSize() : 0; }

  void trackContexts() { tracking_ = true; }
  std::vector<uint32_t> takeTouched() {
    std::sort(touched_.begin(), touched_.end());
    touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
    return std::exchange(touched_, {});
  }

 private:
  // Which restricted phase the module is in: the wasm start function, _initialize/main/
  // _start, the allocator, or a callback.
  enum class Phase { Running, StartFunction, Startup, Allocator };
  // Argument and result vectors of one nesting level, reused across calls.
  struct Slot {
    wi::Values params, results;
  };

  CallResult startup();
  CallResult invoke(const wi::Func::Ptr& func, const char* export_name, const uint32_t* args, size_t count,
                    Phase phase);
  bool applyLimits(wi::ModuleDesc& desc, std::string* error) const;
  wabt::Result hostCall(const ImportSpec& spec, const wi::Values& params, wi::Values& results,
                        wi::Trap::Ptr* out_trap);
  wabt::Result trap(wi::Trap::Ptr* out_trap, const std::string& message) {
    *out_trap = wi::Trap::New(store_, message);
    return wabt::Result::Error;
  }
  std::string restricted(const ImportSpec& spec) const;

  std::string name_;
  EngineOptions options_;
  wi::Store store_;  // first: every object below lives in it
  wi::Module::Ptr module_;
  wi::Instance::Ptr instance_;
  wi::Memory::Ptr memory_;
  std::array<wi::Func::Ptr, size_t(Callback::Count_)> callbacks_;
  wi::Func::Ptr initialize_, start_, main_, main_void_;
  wi::Func::Ptr start_function_;  // the module's start section, run by startup()
  const char* allocator_name_ = "proxy_on_memory_allocate";
  uint64_t remaining_ = 0;  // instructions left to the outermost call
  std::unique_ptr<wi::Thread> thread_;
  std::deque<Slot> slots_;  // a deque: growing it keeps the outer levels' references valid
  size_t depth_ = 0;
  Phase phase_ = Phase::Running;
  // A trap inside a nested call (the allocator under a host function): the host function
  // must trap too, so the suspended module never resumes on a half-unwound thread.
  std::optional<std::string> pending_trap_;
  host::Model* model_ = nullptr;
  bool tracking_ = false;
  std::vector<uint32_t> touched_;
};

bool WasmGuest::load(const std::vector<uint8_t>& bytes, std::string* error) {
  wi::ModuleDesc desc;
  if (!parseModule(bytes.data(), bytes.size(), name_, &desc, error)) return false;
  if (std::string problem = checkModule(desc, options_); !problem.empty()) {
    *error = std::move(problem);
    return false;
  }
  if (!applyLimits(desc, error)) return false;
  // The start section is not run by instantiation (which would run it unbounded, before a
  // host is attached): startup() runs it first, under the budget.
  std::optional<wi::Index> start_index;
  if (!desc.starts.empty()) start_index = desc.starts.front().func_index;
  desc.starts.clear();
  module_ = wi::Module::New(store_, std::move(desc));

  wi::RefVec imports;
  for (const wi::ImportType& import : module_->import_types()) {
    switch (import.type->kind) {
      case wi::ExternKind::Func: {
        const ImportSpec* spec = findImport(import.module, import.name);  // checked above
        auto func = wi::HostFunc::New(
            store_, spec->type,
            [this, spec](wi::Thread&, const wi::Values& params, wi::Values& results, wi::Trap::Ptr* out_trap) {
              return hostCall(*spec, params, results, out_trap);
            });
        imports.push_back(func.ref());
        break;
      }
      case wi::ExternKind::Memory: {  // capped by applyLimits
        imports.push_back(wi::Memory::New(store_, *wabt::cast<wi::MemoryType>(import.type.get())).ref());
        break;
      }
      case wi::ExternKind::Table:
        imports.push_back(wi::Table::New(store_, *wabt::cast<wi::TableType>(import.type.get())).ref());
        break;
      default:
        *error = "Failed to load Wasm module due to a missing import: " + import.module + "." + import.name;
        return false;
    }
  }

  wi::Trap::Ptr trap;
  instance_ = wi::Instance::Instantiate(store_, module_.ref(), imports, &trap);
  if (!instance_) {
    *error = "Failed to instantiate Wasm module: " + (trap ? trap->message() : std::string("unknown error"));
    return false;
  }
  memory_ = wi::Memory::Ptr(store_, instance_->memories().at(0));
  if (start_index) start_function_ = wi::Func::Ptr(store_, instance_->funcs().at(*start_index));

  // Cache every recognised export once; calls index this table.
  wi::Func::Ptr malloc_export;
  const auto& types = module_->export_types();
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i].type->kind != wi::ExternKind::Func) continue;
    const std::string& export_name = types[i].name;
    const ExportSpec* spec = findExport(export_name);
    if (!spec) continue;
    wi::Func::Ptr func(store_, instance_->exports()[i]);
    if (export_name == "_initialize") {
      initialize_ = func;
    } else if (export_name == "_start") {
      start_ = func;
    } else if (export_name == "main") {
      main_ = func;
    } else if (export_name == "__main_void") {
      main_void_ = func;
    } else if (export_name == "malloc") {
      malloc_export = func;
    } else if (spec->callback) {
      callbacks_[size_t(*spec->callback)] = func;
    }
  }
  // The spec's allocator first, malloc as the fallback.
  if (!callbacks_[size_t(Callback::MemoryAllocate)]) {
    callbacks_[size_t(Callback::MemoryAllocate)] = malloc_export;
    allocator_name_ = "malloc";
  }
  thread_ = std::make_unique<wi::Thread>(store_);
  return true;
}

// Caps every memory and table at the limits (minimums were checked by checkModule), so
// that memory.grow and table.grow past them return -1 as in the host library.
bool WasmGuest::applyLimits(wi::ModuleDesc& desc, std::string* error) const {
  const uint64_t max_pages = options_.max_memory_bytes / (64 * 1024);
  auto cap = [](wabt::Limits& limits, uint64_t max) {
    if (limits.initial > max) return false;
    if (!limits.has_max || limits.max > max) {
      limits.has_max = true;
      limits.max = max;
    }
    return true;
  };
  bool ok = true;
  for (auto& m : desc.memories) ok = cap(m.type.limits, max_pages) && ok;
  for (auto& t : desc.tables) ok = cap(t.type.limits, options_.max_table_elements) && ok;
  for (auto& i : desc.imports) {
    if (auto* m = wabt::dyn_cast<wi::MemoryType>(i.type.type.get())) ok = cap(m->limits, max_pages) && ok;
    if (auto* t = wabt::dyn_cast<wi::TableType>(i.type.type.get())) ok = cap(t->limits, options_.max_table_elements) && ok;
  }
  if (!ok) *error = "Failed to load Wasm module: a memory or table minimum exceeds the limits";
  return ok;
}

CallResult WasmGuest::call(Callback cb, std::initializer_list<uint32_t> args) {
  if (cb == Callback::Initialize) return startup();
  if (!has(cb)) {
    CallResult r;
    r.ok = false;
    r.error = name_ + " does not export " + (cb < Callback::Count_ ? host::callbackInfo(cb).export_name : "?");
    return r;
  }
  const bool allocator = cb == Callback::MemoryAllocate;
  if (tracking_ && !allocator && args.size() > 0) touched_.push_back(*args.begin());
  return invoke(callbacks_[size_t(cb)], allocator ? allocator_name_ : host::callbackInfo(cb).export_name,
                args.begin(), args.size(), allocator ? Phase::Allocator : Phase::Running);
}

// The wasm start function (deferred from instantiation), then a WASI reactor's
// _initialize and main(0, 0) or __main_void if exported; a command's _start otherwise
// (proxy-wasm-cpp-host's startVm). Each is a call with its own budget.
CallResult WasmGuest::startup() {
  if (start_function_) {
    CallResult r = invoke(start_function_, "the start function", nullptr, 0, Phase::StartFunction);
    start_function_.reset();  // runs once, as at instantiation
    if (!r.ok) return r;
  }
  if (initialize_) {
    CallResult r = invoke(initialize_, "_initialize", nullptr, 0, Phase::Startup);
    if (!r.ok) return r;
    const uint32_t no_args[2] = {0, 0};
    if (main_) return invoke(main_, "main", no_args, 2, Phase::Startup);
    if (main_void_) return invoke(main_void_, "__main_void", nullptr, 0, Phase::Startup);
    return r;
  }
  if (start_) return invoke(start_, "_start", nullptr, 0, Phase::Startup);
  return {};
}

CallResult WasmGuest::invoke(const wi::Func::Ptr& func, const char* export_name, const uint32_t* args, size_t count,
                             Phase phase) {
  CallResult out;
  if (count != func->type().params.size()) {
    out.ok = false;
    out.error = "wrong number of arguments";
    return out;
  }
  const auto* defined = wabt::dyn_cast<wi::DefinedFunc>(func.get());
  if (!defined) {  // an import re-exported as a callback: nothing of the module runs
    out.ok = false;
    out.error = std::string(export_name) + " is an imported function";
    return out;
  }
  if (depth_ == slots_.size()) slots_.emplace_back();
  Slot& slot = slots_[depth_];
  slot.params.resize(count);
  for (size_t i = 0; i < count; ++i) slot.params[i] = wi::Value::Make(args[i]);
  if (!thread_) thread_ = std::make_unique<wi::Thread>(store_);

  // The outermost call gets a fresh budget; nested calls draw from it.
  if (depth_ == 0) remaining_ = options_.instruction_budget;
  const Phase saved_phase = phase_;
  phase_ = phase;
  ++depth_;
  wi::Trap::Ptr trap;
  BoundedResult result = BoundedResult::Trap;
  bool out_of_memory = false;
  try {
    result = boundedCall(*thread_, *defined, slot.params, slot.results, &remaining_, options_.instruction_budget == 0,
                         &trap);
  } catch (const std::bad_alloc&) {  // memory.grow or table.grow within the caps, refused by the system
    out_of_memory = true;
  }
  --depth_;
  phase_ = saved_phase;

  if (result != BoundedResult::Ok) {
    out.ok = false;
    if (result == BoundedResult::Exhausted) {
      out.error = "execution budget of " + std::to_string(options_.instruction_budget) +
                  " instructions exhausted in " + export_name;
    } else {
      out.error = out_of_memory ? std::string(export_name) + " ran out of memory (the system refused an allocation)"
                  : trap          ? trap->message()
                                  : std::string("uncaught exception");
    }
    if (depth_ > 0) {
      pending_trap_ = out.error;
    } else {
      thread_.reset();  // a trap leaves frames behind: any later call starts on a fresh thread
    }
    return out;
  }
  if (!slot.results.empty()) out.value = slot.results[0].Get<uint32_t>();
  return out;
}

std::string WasmGuest::restricted(const ImportSpec& spec) const {
  std::string message = "restricted_callback: " + spec.qualifiedName();
  switch (phase_) {
    case Phase::StartFunction:
      return message + " called from the module's start function (a host runs it while linking the module, " +
             "before any context exists; do start-up work in _initialize)";
    case Phase::Startup: return message + " called during module start-up (_initialize)";
    case Phase::Allocator: return message + " called inside the allocator";
    case Phase::Running: break;
  }
  return message + " refused by the host";
}

wabt::Result WasmGuest::hostCall(const ImportSpec& spec, const wi::Values& params, wi::Values& results,
                                 wi::Trap::Ptr* out_trap) {
  if (!model_) return trap(out_trap, spec.qualifiedName() + " called before the module was attached to a host model");
  // The start function runs while the host links the module: no host function is usable.
  if (phase_ == Phase::StartFunction) {
    model_->allowed(spec.name);  // recorded as a violation (the start phase refuses everything)
    return trap(out_trap, restricted(spec));
  }
  if (spec.kind != ImportKind::Proxy) {
    const bool allowed = phase_ == Phase::Startup     ? spec.allowed_in_startup
                         : phase_ == Phase::Allocator ? spec.allowed_in_allocator
                                                      : true;
    // The host model records the refused call (Model::violations()).
    if (!allowed && !model_->allowed(spec.name)) return trap(out_trap, restricted(spec));
  }
  if (tracking_ && spec.kind == ImportKind::Proxy && spec.name == "proxy_set_effective_context" && !params.empty())
    touched_.push_back(params[0].Get<uint32_t>());
  WasmMemory memory(memory_.get());
  const uint32_t r = spec.invoke(spec.fn, *model_, memory, params);
  if (pending_trap_) {
    const std::string message = std::move(*pending_trap_);
    pending_trap_.reset();
    return trap(out_trap, message);
  }
  if (r == host::abi::kTrap && spec.kind == ImportKind::Proxy) return trap(out_trap, restricted(spec));
  if (!results.empty()) results[0] = wi::Value::Make(r);
  return wabt::Result::Ok;
}

}  // namespace

bool readFile(const std::filesystem::path& path, std::vector<uint8_t>* bytes, std::string* error,
              uint64_t max_bytes) {
  auto fail = [&](const std::string& message) {
    if (error) *error = message;
    return false;
  };
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return fail("cannot open " + path.string() + ": " + ec.message());
  if (std::filesystem::is_directory(status)) return fail("cannot read " + path.string() + ": it is a directory");
  if (!std::filesystem::is_regular_file(status)) return fail("cannot read " + path.string() + ": not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail("cannot read " + path.string() + ": " + ec.message());
  if (size == 0) return fail("cannot read " + path.string() + ": the file is empty");
  if (size > max_bytes)
    return fail("cannot read " + path.string() + ": " + std::to_string(size) + " bytes, over the limit of " +
                std::to_string(max_bytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open " + path.string() + ": " + std::strerror(errno));
  bytes->resize(size);
  in.read(reinterpret_cast<char*>(bytes->data()), std::streamsize(size));
  if (in.gcount() != std::streamsize(size)) return fail("cannot read " + path.string() + ": short read");
  return true;
}

std::optional<uint64_t> parseCount(const std::string& text, bool bytes) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  if (errno == ERANGE) return std::nullopt;
  uint64_t unit = 1;
  const std::string suffix(end);
  const uint64_t k = bytes ? 1024 : 1000;
  if (suffix == "K" || suffix == "k") {
    unit = k;
  } else if (suffix == "M") {
    unit = k * k;
  } else if (suffix == "G") {
    unit = k * k * k;
  } else if (!suffix.empty()) {
    return std::nullopt;
  }
  if (n > UINT64_MAX / unit) return std::nullopt;
  return uint64_t(n) * unit;
}

bool engineOptionsFromEnvironment(EngineOptions* options, std::string* error) {
  struct Var {
    const char* name;
    uint64_t* field;
    bool bytes;
  };
  const Var vars[] = {{"PROXY_WASM_INSTRUCTION_BUDGET", &options->instruction_budget, false},
                      {"PROXY_WASM_MAX_MEMORY_BYTES", &options->max_memory_bytes, true},
                      {"PROXY_WASM_MAX_TABLE_ELEMENTS", &options->max_table_elements, false}};
  for (const Var& v : vars) {
    const char* text = std::getenv(v.name);
    if (!text || !*text) continue;
    auto n = parseCount(text, v.bytes);
    if (!n) {
      if (error) *error = std::string(v.name) + "=" + text + " is not a count (digits, optionally K, M or G)";
      return false;
    }
    *v.field = *n;
  }
  return true;
}

bool trackTouchedContexts(host::Guest& guest) {
  auto* wasm = dynamic_cast<WasmGuest*>(&guest);
  if (wasm) wasm->trackContexts();
  return wasm != nullptr;
}

std::vector<uint32_t> takeTouchedContexts(host::Guest& guest) {
  auto* wasm = dynamic_cast<WasmGuest*>(&guest);
  return wasm ? wasm->takeTouched() : std::vector<uint32_t>{};
}

std::unique_ptr<host::Guest> loadWasmGuest(const std::vector<uint8_t>& bytes, std::string* error,
                                           const std::string& name, const EngineOptions& options) {
  std::string message;
  auto guest = std::make_unique<WasmGuest>(name, options);
  bool loaded = false;
  try {
    loaded = guest->load(bytes, &message);
  } catch (const std::bad_alloc&) {
    message = "Failed to load Wasm module: out of memory";
  }
  if (!loaded) {
    if (error) *error = std::move(message);
    return nullptr;
  }
  return guest;
}

std::unique_ptr<host::Guest> loadWasmGuest(const std::filesystem::path& path, std::string* error,
                                           const EngineOptions& options) {
  std::vector<uint8_t> bytes;
  if (!readFile(path, &bytes, error)) return nullptr;
  return loadWasmGuest(bytes, error, path.string(), options);
}

}  // namespace proxy_wasm::engine
