# Prometheus and Grafana: the shipped alert rules pass promtool (syntax and rule unit tests),
# the example prometheus.yml is valid, the dashboard is valid JSON using only metrics memlens
# exports, and a real Prometheus scrapes a running memlens.
find_program(MEMLENS_PROMTOOL promtool)
set(memlens_deploy ${CMAKE_SOURCE_DIR}/deploy)
if(MEMLENS_PROMTOOL)
  add_test(NAME prometheus_rules_check
           COMMAND ${MEMLENS_PROMTOOL} check rules ${memlens_deploy}/prometheus/memlens-alerts.yml)
  add_test(NAME prometheus_rules_unit_test
           COMMAND ${MEMLENS_PROMTOOL} test rules memlens-alerts.test.yml
           WORKING_DIRECTORY ${memlens_deploy}/prometheus)
  add_test(NAME prometheus_config_check
           COMMAND ${MEMLENS_PROMTOOL} check config ${memlens_deploy}/prometheus/prometheus.yml)
else()
  add_test(NAME prometheus_rules_check COMMAND sh -c "echo 'promtool not installed (apt install prometheus)'; exit 77")
  set_tests_properties(prometheus_rules_check PROPERTIES SKIP_RETURN_CODE 77)
endif()
add_test(NAME grafana_dashboard_check
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/prometheus_dashboard_check.py
                 ${memlens_deploy}/grafana/memlens-dashboard.json
                 ${memlens_deploy}/prometheus/memlens-alerts.yml
                 ${CMAKE_SOURCE_DIR}/src/server)

set(memlens_prometheus_libs memlens_monitor)
if(TARGET memlens_server)
  list(APPEND memlens_prometheus_libs memlens_server)
endif()
memlens_unit_test(prometheus_scrape_test
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/prometheus_scrape_test.cpp
                  LIBS ${memlens_prometheus_libs})
target_include_directories(prometheus_scrape_test PRIVATE ${CMAKE_SOURCE_DIR})
if(TARGET memlens_server)
  target_compile_definitions(prometheus_scrape_test PRIVATE MEMLENS_HAVE_SERVER=1)
endif()
if(TARGET memlens)
  add_dependencies(prometheus_scrape_test memlens)
endif()
set_tests_properties(grafana_dashboard_check PROPERTIES SKIP_RETURN_CODE 77)
