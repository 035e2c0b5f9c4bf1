# `memlens serve STORE` through the binary: the recorded-session routes with no live process.
# Test names carry a "cli." prefix so `ctest -R cli` selects them.
memlens_unit_test(serve_cli_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/serve_cli_test.cpp
          ${CMAKE_SOURCE_DIR}/tests/unit/server/http_test_client.cpp
  LIBS memlens_server PREFIX "cli." TIMEOUT 400)
target_include_directories(serve_cli_test PRIVATE ${CMAKE_SOURCE_DIR})
if(TARGET memlens)
  add_dependencies(serve_cli_test memlens target_linear_heap)
endif()
