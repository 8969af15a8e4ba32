# SPDX-License-Identifier: GPL-3.0-or-later
# Installation layout and the Debian package, included last from the top-level CMakeLists.txt.
#
#   cmake --build build --target package     ->  build/anneal_<version>_<arch>.deb
#   sudo apt install ./build/anneal_0.1.0_amd64.deb
#
# What goes where (prefix /usr):
#   bin/anneal, bin/anneal-cli                       the app (when ANNEAL_BUILD_GUI) and the CLI
#   share/applications/anneal.desktop                desktop entry             (GUI builds only)
#   share/icons/hicolor/scalable/apps/anneal.svg     its icon                  (GUI builds only)
#   share/metainfo/io.anneal.Anneal.metainfo.xml     AppStream metadata        (GUI builds only)
#   share/anneal/experiments/                        example experiments (*.toml, README.md)
#   share/anneal/studies/                            example studies, when resources/studies exists
#   share/man/man1/anneal-cli.1.gz                   the CLI's man page
#   share/bash-completion/completions/anneal-cli     bash completion
#   share/doc/anneal/                                copyright (Debian format) and the user docs
# tests/backend/test_package.cpp builds the package with cpack and checks all of this.
include(GNUInstallDirs)

set(ANNEAL_DEB_MAINTAINER "Anneal maintainers <maintainers@anneal.invalid>" CACHE STRING
    "Maintainer field of the Debian package (Name <email>)")
option(ANNEAL_DEB_SHLIBDEPS
       "Compute the package's library dependencies with dpkg-shlibdeps instead of the list checked for Debian 12"
       OFF)
add_feature_info(ANNEAL_DEB_SHLIBDEPS ANNEAL_DEB_SHLIBDEPS "Debian package Depends from dpkg-shlibdeps")

set(_pkg ${PROJECT_SOURCE_DIR}/packaging)

# --- Install rules -------------------------------------------------------------------------------
# anneal-cli is installed by app/cli/CMakeLists.txt. The app's rule lives here so that the package
# does not depend on app/gui keeping one; install(TARGETS) twice to the same place is harmless.
if(TARGET anneal)
    install(TARGETS anneal RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    # qt_standard_project_setup() gives targets an install RUNPATH of $ORIGIN/../lib; /usr/bin/anneal
    # finds its libraries in the system paths, and Debian forbids RUNPATHs to them.
    set_property(TARGET anneal PROPERTY INSTALL_RPATH "")
    install(FILES ${_pkg}/anneal.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/anneal.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
    install(FILES ${_pkg}/io.anneal.Anneal.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/experiments/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/anneal/experiments
        FILES_MATCHING PATTERN "*.toml" PATTERN "README.md")
# OPTIONAL: checked at install time, so studies added later need no re-configure.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/studies/ DESTINATION ${CMAKE_INSTALL_DATADIR}/anneal/studies
        OPTIONAL)

# Debian names the folder after the package (CMAKE_INSTALL_DOCDIR would be doc/Anneal).
set(ANNEAL_INSTALL_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/anneal)
install(FILES ${_pkg}/copyright DESTINATION ${ANNEAL_INSTALL_DOCDIR})
foreach(doc README.md docs/CLI.md docs/EXPERIMENT-FORMAT.md docs/STORAGE.md docs/REWEIGHTING.md docs/FITTING.md
            docs/SWEEPS.md)
    install(FILES ${PROJECT_SOURCE_DIR}/${doc} DESTINATION ${ANNEAL_INSTALL_DOCDIR} OPTIONAL)
endforeach()

install(FILES ${_pkg}/anneal-cli.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME anneal-cli)

# The man page gets the project version from CMake; Debian wants man pages compressed with
# gzip -9n (-n: no name or time stamp, so the package is reproducible).
find_program(ANNEAL_GZIP gzip REQUIRED)
set(_man ${CMAKE_BINARY_DIR}/packaging/anneal-cli.1)
configure_file(${_pkg}/anneal-cli.1 ${_man}.in @ONLY)
add_custom_command(OUTPUT ${_man}.gz
    COMMAND ${CMAKE_COMMAND} -E copy ${_man}.in ${_man}
    COMMAND ${ANNEAL_GZIP} -9nf ${_man}
    DEPENDS ${_man}.in
    COMMENT "Compressing the anneal-cli man page" VERBATIM)
add_custom_target(anneal_man ALL DEPENDS ${_man}.gz)
install(FILES ${_man}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# --- CPack: one Debian package ---------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME anneal)
set(CPACK_PACKAGE_VENDOR "The Anneal developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${ANNEAL_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "desktop lab for training-dynamics experiments on language models")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)                     # RelWithDebInfo binaries are ~55 MB with symbols
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)       # anneal_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ANNEAL_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
if(TARGET anneal)
    set(_what "A Qt 6 desktop application (anneal) embeds a LibTorch training backend and")
else()
    set(_what "This build has only the headless command-line front end (anneal-cli), which")
endif()
# The long description; CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY on the first line, indents the
# rest and turns empty lines into " ." itself.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Anneal trains small GPT-style language models on synthetic data whose entropy
floor is known exactly, and runs learning-rate-schedule (cosine, WSD and its
cooldowns), upsampling-cooldown and data-reweighting experiments on them.
${_what}
stores loss curves, per-sample weights, domain mixtures and scaling-law fits
in SQLite. anneal-cli runs, resumes and branches the same experiment files on
servers and batch clusters.")

# Depends: what dpkg-shlibdeps computes for the Debian 12 build (bookworm's LibTorch 1.13, Qt 6.4),
# listed so that the package reads the same everywhere; tests/backend/test_package.cpp runs
# dpkg-shlibdeps on the packaged binaries and names any needed package missing here (a new library
# linked by the backend shows up there first). Ceres is linked statically (Debian's CMake config
# names libceres.a), so there is no libceres3, but its SuiteSparse, glog and LAPACK are shared.
set(_deps
    "libc6 (>= 2.35)" "libgcc-s1 (>= 4.0)" "libstdc++6 (>= 12)"
    "libtorch1.13 (>= 1.13.1+dfsg)" "libblas3 | libblas.so.3" "liblapack3 | liblapack.so.3"
    "libsqlite3-0 (>= 3.14.0)" "libtomlplusplus3 (>= 3.2.0)"
    "libgoogle-glog0v6 (>= 0.6.0)" "libcholmod3 (>= 1:4.5.2)" "libcxsparse3 (>= 1:4.5.2)")
# The text: and jsonl: sources read gzip through zlib, and zstd through libzstd when the build found it.
list(APPEND _deps "zlib1g (>= 1:1.2.3.3.dfsg-1)")
if(ANNEAL_ZSTD_FOUND)
    list(APPEND _deps "libzstd1 (>= 1.5.2)")
endif()
# tokenizer.kind = "sentencepiece" runs spm_train and spm_encode (data/sentencepiece_tokenizer.cpp
# says why the programs and not libsentencepiece0, which cannot share a process with LibTorch).
list(APPEND _deps "sentencepiece")
if(TARGET anneal)
    # QCustomPlot pulls in Qt PrintSupport (named here because the app prints and exports through
    # it); the SVG icon engine is in libqt6svg6, the xcb platform plugin in libqt6gui6.
    list(APPEND _deps
        "libqt6core6 (>= 6.4.0)" "libqt6gui6 (>= 6.1.2)" "libqt6widgets6 (>= 6.4.0)" "libqt6printsupport6"
        "libqt6svg6 (>= 6.2.0)" "libqcustomplot2.1-qt6 (>= 2.1.0+dfsg1)")
endif()
if(ANNEAL_DEB_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "")
else()
    list(JOIN _deps ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
endif()
# OpenBLAS is a Recommends, not a Depends: the binaries link libblas.so.3, which any BLAS behind
# Debian's alternatives provides (reference BLAS, ATLAS, BLIS, MKL), so the package works without
# it; but OpenBLAS is what makes CPU training fast, and OPENBLAS_NUM_THREADS (which the app sets to
# 1 when unset) is its knob. apt installs Recommends by default. groff-base renders the German
# manual pages of `anneal-cli corpus prepare` (apt and dpkg, which it also runs, are in every
# Debian system).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-pthread, groff-base")

include(CPack)
