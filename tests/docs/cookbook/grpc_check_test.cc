#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;

TEST_CASE("cookbook: a gRPC check pauses the request; allow resumes, deny answers 403, failure fails open") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"grpc_check"}) != 0);

  auto& allowed = host->newHttpStream();
  CHECK(allowed.sendRequestHeaders({{":path", "/a"}}) == Action::Pause);
  REQUIRE(host->grpcCalls().size() == 1);
  CHECK(host->grpcCalls()[0].service == "policy.v1.Policy");
  CHECK(host->grpcCalls()[0].message == "/a");
  CHECK(host->grpcCalls()[0].initial_metadata.get("x-caller") == "cookbook");
  host->respondGrpcCall(host->grpcCalls()[0].token, "allow");
  CHECK(!allowed.requestPaused());
  allowed.finish();

  auto& denied = host->newHttpStream();
  denied.sendRequestHeaders({{":path", "/b"}});
  host->respondGrpcCall(host->grpcCalls().back().token, "deny");
  REQUIRE(denied.localResponse());
  CHECK(denied.localResponse()->status == 403);
  denied.finish();

  auto& failed = host->newHttpStream();
  failed.sendRequestHeaders({{":path", "/c"}});
  host->grpcClose(host->grpcCalls().back().token, proxy_wasm::GrpcStatus::Unavailable, "down");
  CHECK(!failed.requestPaused());
  CHECK(!failed.localResponse());
}
