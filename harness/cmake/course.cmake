# course.cmake - how a lab is built and checked.
#
# A lab's CMakeLists.txt says which files the student writes and which programs are linked
# from them:
#
#     course_lab(STUDENT server.c client.c)
#     course_program(server server.c)
#     course_program(client client.c)
#
# Every program is then built once per variant of the student's files:
#   skeleton      labs/LAB/              (with -Werror: the shipped stubs must be clean)
#   reference     solutions/LAB/         (with -Werror)
#   mutant-NAME   solutions/LAB/ with FILE.c patched by solutions/LAB/mutants/FILE.NAME.patch
#   submission    SUBMISSION_DIR/LAB/    (only when SUBMISSION_DIR is set; warnings allowed)
# into build/variants/VARIANT/LAB/. Files that are not the student's come from labs/LAB/, so
# a submission cannot change the provided code; a provided file may also be shared by several
# labs (course_program(server server.c ../common/sockio.c)), and the directory of every
# provided file is on the include path. A program marked BIG_ENDIAN is also
# cross-built for s390x (build/variants/VARIANT/LAB/s390x/), where one is installed.
#
# With COURSE_TESTS on, CTest checks per lab: the reference passes every test (two at a time,
# without namespaces: HARNESS_NETNS=off), and also under Valgrind (in namespaces); the skeleton
# fails; every mutant is rejected by a test whose message matches the mutant's EXPECT line.
# course_lab(AS_USER STUDENT ...) adds a check that the reference passes as a user without
# privileges (check-variant --as-user), for labs whose tests need a namespace's root.

set(HARNESS_BIN_DIR "${CMAKE_BINARY_DIR}/harness/bin")
find_program(S390X_CC s390x-linux-gnu-gcc)
set(COURSE_CHECK "${CMAKE_SOURCE_DIR}/harness/bin/check-variant")

# course_lab - declare the lab in the current directory, its variants and its CTest checks.
function(course_lab)
  cmake_parse_arguments(L "AS_USER" "" "STUDENT" ${ARGN})
  get_filename_component(lab "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  set(solution "${CMAKE_SOURCE_DIR}/solutions/${lab}")
  set(variants "")

  if(COURSE_TESTS)
    course_variant(skeleton "${CMAKE_CURRENT_SOURCE_DIR}" ON "" "")
    course_variant(reference "${solution}" ON "" "")
    file(GLOB mutants "${solution}/mutants/*.patch")
    list(SORT mutants)
    foreach(mutant IN LISTS mutants)
      get_filename_component(base "${mutant}" NAME_WE)   # server.no-reuseaddr -> server
      get_filename_component(full "${mutant}" NAME)
      string(REGEX REPLACE "\\.patch$" "" mname "${full}")
      if(NOT "${base}.c" IN_LIST L_STUDENT)
        message(FATAL_ERROR "${mutant}: a mutant is named STUDENTFILE.MISTAKE.patch, and ${base}.c is not one of this lab's student files (${L_STUDENT})")
      endif()
      # The mutant's source is made at build time: the reference with the patch applied.
      set(source "${CMAKE_BINARY_DIR}/mutants/${lab}/${mname}.c")
      add_custom_command(OUTPUT "${source}"
        COMMAND ${CMAKE_COMMAND} -E make_directory "${CMAKE_BINARY_DIR}/mutants/${lab}"
        COMMAND "${CMAKE_SOURCE_DIR}/harness/bin/apply-mutant" "${solution}/${base}.c" "${mutant}" "${source}"
        DEPENDS "${solution}/${base}.c" "${mutant}"
        COMMENT "Applying mutant ${lab}/${mname}"
        VERBATIM)
      # One target owns the rule, so that parallel builds of the programs that use the
      # source never run it twice at once.
      add_custom_target("${lab}.mutant-${mname}.source" DEPENDS "${source}")
      course_variant("mutant-${mname}" "${solution}" OFF "${base}.c" "${source}")
    endforeach()
  endif()
  if(SUBMISSION_DIR)
    course_variant(submission "${SUBMISSION_DIR}/${lab}" OFF "" "")
  endif()

  set_property(DIRECTORY PROPERTY COURSE_LAB "${lab}")
  set_property(DIRECTORY PROPERTY COURSE_STUDENT "${L_STUDENT}")

  if(COURSE_TESTS)
    course_register_checks("${lab}" "${mutants}" "${L_AS_USER}")
  endif()
endfunction()

# course_variant - record one variant of the current lab: where its student files come from,
# whether warnings are errors, and which single file a mutant replaces.
macro(course_variant name dir werror replaced replacement)
  set_property(DIRECTORY APPEND PROPERTY COURSE_VARIANTS "${name}")
  set_property(DIRECTORY PROPERTY "COURSE_${name}_DIR" "${dir}")
  set_property(DIRECTORY PROPERTY "COURSE_${name}_WERROR" "${werror}")
  set_property(DIRECTORY PROPERTY "COURSE_${name}_REPLACED" "${replaced}")
  set_property(DIRECTORY PROPERTY "COURSE_${name}_REPLACEMENT" "${replacement}")
  if(name STREQUAL "submission")
    add_custom_target("${lab}.${name}")
  else()
    add_custom_target("${lab}.${name}" ALL)
  endif()
endmacro()

# course_program - build program NAME from SOURCES for every variant of the current lab.
#   course_program(NAME SOURCE... [BIG_ENDIAN] [LIBS lib...])
function(course_program name)
  cmake_parse_arguments(P "BIG_ENDIAN" "" "LIBS" ${ARGN})
  get_property(lab DIRECTORY PROPERTY COURSE_LAB)
  get_property(student DIRECTORY PROPERTY COURSE_STUDENT)
  get_property(variants DIRECTORY PROPERTY COURSE_VARIANTS)
  if(NOT lab)
    message(FATAL_ERROR "course_program(${name}) before course_lab() in ${CMAKE_CURRENT_SOURCE_DIR}")
  endif()

  foreach(variant IN LISTS variants)
    get_property(dir DIRECTORY PROPERTY "COURSE_${variant}_DIR")
    get_property(werror DIRECTORY PROPERTY "COURSE_${variant}_WERROR")
    get_property(replaced DIRECTORY PROPERTY "COURSE_${variant}_REPLACED")
    get_property(replacement DIRECTORY PROPERTY "COURSE_${variant}_REPLACEMENT")
    set(out "${CMAKE_BINARY_DIR}/variants/${variant}/${lab}")
    set(target "${lab}.${variant}.${name}")

    set(sources "")
    set(missing "")
    set(includes "${CMAKE_CURRENT_SOURCE_DIR}")
    foreach(src IN LISTS P_UNPARSED_ARGUMENTS)
      if(src STREQUAL replaced)
        list(APPEND sources "${replacement}")
      elseif(src IN_LIST student)
        list(APPEND sources "${dir}/${src}")
        if(NOT EXISTS "${dir}/${src}")
          list(APPEND missing "${dir}/${src}")
        endif()
      else()
        get_filename_component(provided "${CMAKE_CURRENT_SOURCE_DIR}/${src}" ABSOLUTE)
        get_filename_component(provided_dir "${provided}" DIRECTORY)
        list(APPEND sources "${provided}")
        list(APPEND includes "${provided_dir}")
      endif()
    endforeach()
    list(REMOVE_DUPLICATES includes)
    list(TRANSFORM includes PREPEND "-I" OUTPUT_VARIABLE include_flags)

    if(missing)
      # A submission without this lab's files must not stop the other labs from building:
      # the failure belongs to this target alone, and says what is missing.
      add_custom_target("${target}"
        COMMAND ${CMAKE_COMMAND} -E echo "error: missing file ${missing}: copy it from labs/${lab}/ and fill it in"
        COMMAND ${CMAKE_COMMAND} -E false)
    else()
      add_executable("${target}" ${sources})
      if(replacement MATCHES "/mutants/")
        add_dependencies("${target}" "${lab}.${variant}.source")
      endif()
      set_target_properties("${target}" PROPERTIES OUTPUT_NAME "${name}" RUNTIME_OUTPUT_DIRECTORY "${out}")
      target_include_directories("${target}" PRIVATE ${includes})
      if(werror)
        target_compile_options("${target}" PRIVATE -Werror)
      endif()
      if(P_LIBS)
        target_link_libraries("${target}" PRIVATE ${P_LIBS})
      endif()
      if(P_BIG_ENDIAN AND S390X_CC)
        set(be "${out}/s390x/${name}")
        add_custom_command(OUTPUT "${be}"
          COMMAND ${CMAKE_COMMAND} -E make_directory "${out}/s390x"
          COMMAND "${S390X_CC}" -static -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra
                  -Wdeclaration-after-statement -Wstrict-prototypes -Wmissing-prototypes
                  -Wold-style-definition ${include_flags} -o "${be}" ${sources}
          DEPENDS ${sources}
          COMMENT "Cross-building ${lab}/${name} (${variant}) for big-endian s390x"
          VERBATIM)
        add_custom_target("${target}.s390x" DEPENDS "${be}")
        if(replacement MATCHES "/mutants/")
          add_dependencies("${target}.s390x" "${lab}.${variant}.source")
        endif()
        add_dependencies("${lab}.${variant}" "${target}.s390x")
      endif()
    endif()
    add_dependencies("${lab}.${variant}" "${target}")
  endforeach()
endfunction()

# course_register_checks - the CTest checks of one lab (see the comment at the top).
function(course_register_checks lab mutants as_user)
  set(common --lab "${CMAKE_CURRENT_SOURCE_DIR}" --harness-bin "${HARNESS_BIN_DIR}"
             --summary "${CMAKE_BINARY_DIR}/check-summary.txt")
  # The instructors' hidden tests, when the lab has some: checked like the others.
  if(EXISTS "${CMAKE_SOURCE_DIR}/solutions/${lab}/hidden")
    list(APPEND common --hidden "${CMAKE_SOURCE_DIR}/solutions/${lab}/hidden")
  endif()
  set(vroot "${CMAKE_BINARY_DIR}/variants")

  get_property(variants DIRECTORY PROPERTY COURSE_VARIANTS)
  list(REMOVE_ITEM variants submission)
  list(TRANSFORM variants PREPEND "${lab}.")
  add_test(NAME "${lab}/build"
    COMMAND ${CMAKE_COMMAND} --build "${CMAKE_BINARY_DIR}" --target harness ${variants})
  set_tests_properties("${lab}/build" PROPERTIES FIXTURES_SETUP "${lab}.built" RESOURCE_LOCK cmake-build TIMEOUT 600)


  add_test(NAME "${lab}/reference-clean-under-valgrind"
    COMMAND "${COURSE_CHECK}" --expect pass --valgrind --bin "${vroot}/reference/${lab}" ${common})
  # The reference passes two tests at a time on the shared loopback, under the subreaper instead
  # of PID namespaces; the Valgrind run, the skeleton and the mutants run one at a time in
  # namespaces: the results must not depend on the mode.
  add_test(NAME "${lab}/reference-passes"
    COMMAND "${COURSE_CHECK}" --expect pass --jobs 2 --bin "${vroot}/reference/${lab}" ${common})
  set_tests_properties("${lab}/reference-passes" PROPERTIES ENVIRONMENT "HARNESS_NETNS=off")
  add_test(NAME "${lab}/skeleton-fails"
    COMMAND "${COURSE_CHECK}" --expect fail --bin "${vroot}/skeleton/${lab}" ${common})
  set(checks "${lab}/reference-passes" "${lab}/skeleton-fails")
  # A lab whose tests use what only a namespace's root may (raw sockets, nftables, sysctls, other
  # uids) also runs its reference as a student does, without privileges, when CTest runs as root.
  if(as_user)
    add_test(NAME "${lab}/reference-passes-as-user"
      COMMAND "${COURSE_CHECK}" --expect pass --as-user --jobs 2 --bin "${vroot}/reference/${lab}" ${common})
    list(APPEND checks "${lab}/reference-passes-as-user")
  endif()
  set_tests_properties("${lab}/reference-clean-under-valgrind" PROPERTIES
    FIXTURES_REQUIRED "${lab}.built" TIMEOUT 1200)

  foreach(mutant IN LISTS mutants)
    get_filename_component(full "${mutant}" NAME)
    string(REGEX REPLACE "\\.patch$" "" mname "${full}")
    add_test(NAME "${lab}/mutant/${mname}"
      COMMAND "${COURSE_CHECK}" --expect reject --mutant "${mutant}"
              --bin "${vroot}/mutant-${mname}/${lab}" ${common})
    list(APPEND checks "${lab}/mutant/${mname}")
  endforeach()
  set_tests_properties(${checks} PROPERTIES FIXTURES_REQUIRED "${lab}.built" TIMEOUT 600)
endfunction()
