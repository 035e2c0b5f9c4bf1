# `memlens serve STORE` through the binary: the recorded-session routes with no live process.
# Test names carry a "cli." prefix so `ctest -R cli` selects them.
add_executable(serve_cli_test ${CMAKE_CURRENT_LIST_DIR}/serve_cli_test.cpp
               ${CMAKE_SOURCE_DIR}/tests/unit/server/http_test_client.cpp)
target_include_directories(serve_cli_test PRIVATE ${MEMLENS_INCLUDE_DIRS} ${CMAKE_SOURCE_DIR})
target_link_libraries(serve_cli_test PRIVATE memlens_server GTest::gtest GTest::gtest_main
                      Threads::Threads)
target_compile_definitions(serve_cli_test PRIVATE
  MEMLENS_TEST_DATA_DIR="${CMAKE_SOURCE_DIR}/tests/data"
  MEMLENS_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  MEMLENS_BINARY_DIR="${CMAKE_BINARY_DIR}")
gtest_discover_tests(serve_cli_test TEST_PREFIX "cli." DISCOVERY_TIMEOUT 60
                     PROPERTIES TIMEOUT 400)
if(TARGET memlens)
  add_dependencies(serve_cli_test memlens target_linear_heap)
endif()
