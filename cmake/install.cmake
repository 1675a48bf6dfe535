# install.cmake — what `cmake --install` puts under the prefix (included by the
# top-level CMakeLists.txt, except under scikit-build-core, whose wheel holds
# only the Python module):
#   include/clcnn.h clcnn_tools.h clcnn_version.h
#   lib/libclcnn.so{,.0,.0.2.0} lib/libclcnn.a
#   lib/pkgconfig/clcnn.pc
#   lib/cmake/clcnn/clcnnConfig.cmake, clcnnConfigVersion.cmake, *Targets*.cmake
#   bin/clcnn
include(CMakePackageConfigHelpers)

install(FILES ${CMAKE_SOURCE_DIR}/host/include/clcnn.h ${CMAKE_SOURCE_DIR}/host/include/clcnn_tools.h
              ${GEN_DIR}/include/clcnn_version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# (the include dir comes from the targets' INSTALL_INTERFACE)
install(TARGETS clcnn EXPORT clcnnTargets LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS clcnn_static EXPORT clcnnStaticTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS clcnn_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# ---- pkg-config ----
# Requires.private for the dependencies Debian ships a .pc for (so
# `pkg-config --static` pulls their own private libs, e.g. libpng's zlib);
# Libs.private for the rest.
set(PC_REQUIRES_PRIVATE "OpenCL libprotobuf-c libjpeg libpng")
set(PC_LIBS_PRIVATE "-lm -pthread")
if(CLCNN_HAVE_CLBLAST AND CMAKE_DL_LIBS) # CLBlast itself is dlopen'ed, not linked
  string(APPEND PC_LIBS_PRIVATE " -l${CMAKE_DL_LIBS}")
endif()
# prefix relative to the .pc file (${pcfiledir}), so a moved install still works
set(PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${PC_DIR}")
  set(PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH pc_up "/prefix/${PC_DIR}" "/prefix")
  string(REGEX REPLACE "/$" "" pc_up "${pc_up}")
  set(PC_PREFIX "\${pcfiledir}/${pc_up}")
endif()
configure_file(${CMAKE_SOURCE_DIR}/cmake/clcnn.pc.in ${CMAKE_BINARY_DIR}/clcnn.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/clcnn.pc DESTINATION ${PC_DIR})

# ---- CMake package ----
set(CLCNN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/clcnn)
install(EXPORT clcnnTargets NAMESPACE clcnn:: DESTINATION ${CLCNN_CMAKE_DIR})
install(EXPORT clcnnStaticTargets NAMESPACE clcnn:: DESTINATION ${CLCNN_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/clcnnConfig.cmake.in
  ${CMAKE_BINARY_DIR}/clcnnConfig.cmake INSTALL_DESTINATION ${CLCNN_CMAKE_DIR})
# 0.x: a minor release may change the API and ABI, so only the same
# major.minor is compatible. SameMajorVersion would let find_package(clcnn 0.2)
# accept a 0.3 install that a 0.2 program may not build or run against.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/clcnnConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/clcnnConfig.cmake ${CMAKE_BINARY_DIR}/clcnnConfigVersion.cmake
        DESTINATION ${CLCNN_CMAKE_DIR})
