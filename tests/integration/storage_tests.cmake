# Storage integration: a writer process killed with SIGKILL mid-run loses at most one interval.
add_executable(storage_crash_writer ${CMAKE_CURRENT_LIST_DIR}/storage_crash_writer.cpp)
target_include_directories(storage_crash_writer PRIVATE ${MEMLENS_INCLUDE_DIRS})
target_link_libraries(storage_crash_writer PRIVATE memlens_storage memlens_model memlens_base)

memlens_unit_test(storage_crash_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/storage_crash_test.cpp
                  LIBS memlens_storage memlens_model memlens_base)
target_compile_definitions(storage_crash_test PRIVATE
  STORAGE_CRASH_WRITER="$<TARGET_FILE:storage_crash_writer>")
add_dependencies(storage_crash_test storage_crash_writer)

# The store through the `memlens` binary (run --storage, sessions, report STORE, export).
memlens_unit_test(storage_cli_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/storage_cli_test.cpp
                  LIBS memlens_storage memlens_model memlens_base)
target_include_directories(storage_cli_test PRIVATE ${CMAKE_SOURCE_DIR})
if(TARGET memlens)
  add_dependencies(storage_cli_test memlens target_linear_heap)
endif()
