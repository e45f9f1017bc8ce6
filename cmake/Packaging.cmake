# `cmake --install` and the Debian package (`cpack -G DEB`). Installed: the mikeyconf executable
# (no test, fuzz or benchmark program), the suite and the documentation, under
# <prefix>/share/mikeyconf in the repository's own layout, so every relative reference keeps
# working (cases/profiles/configs-kms.yaml names ../../configs/kms.yaml, the READMEs link each
# other) and `mikeyconf run` finds cases/ from the executable's path (tools/data_dir.h).
set(MIKEYCONF_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/mikeyconf)

install(TARGETS mikeyconf RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The suite: requirements.csv, the scenarios, the SUT profiles and baselines (everything
# `mikeyconf run --embedded` reads; the reference profiles hold their KMS configuration and the
# KMS-to-KMS test PKI is made when the run starts).
install(DIRECTORY cases DESTINATION ${MIKEYCONF_INSTALL_DATADIR} PATTERN "*.swp" EXCLUDE)
# KMS configurations for `mikeyconf kms --config` and the sample own-KMS profile. A test PKI made
# in the source tree (configs/make-test-certs.sh configs/certs) holds private keys: never shipped.
install(DIRECTORY configs DESTINATION ${MIKEYCONF_INSTALL_DATADIR}
        PATTERN "certs" EXCLUDE
        PATTERN "*.swp" EXCLUDE
        PATTERN "*.sh" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                   WORLD_READ WORLD_EXECUTE)
install(FILES README.md DESTINATION ${MIKEYCONF_INSTALL_DATADIR})
install(DIRECTORY docs DESTINATION ${MIKEYCONF_INSTALL_DATADIR})
foreach(dir harness reports tools)
  install(FILES ${dir}/README.md DESTINATION ${MIKEYCONF_INSTALL_DATADIR}/${dir})
endforeach()

# The Debian package: mikeyconf_<version>_<arch>.deb, installed under /usr.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mikeyconf)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "mikeyconf")
set(CPACK_PACKAGE_CONTACT "mikeyconf maintainers <maintainers@users.noreply.r-seed-abb7736c.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "conformance and fuzz harness for MIKEY-TICKET (RFC 6043, TS 33.328) key management")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Runs a conformance suite for MIKEY-TICKET (RFC 6043 on RFC 3830, as profiled by 3GPP\n\
TS 33.328, KMS over HTTP per Annex A) against a KMS, an Initiator or a Responder, judges every\n\
answer against the requirement it checks and writes the evidence (results.json, junit.xml,\n\
report.html, a pcap transcript, repro bundles). Also: a reference KMS, a decoder and live\n\
fuzzing. The suite and documentation are installed under /usr/share/mikeyconf.")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # mikeyconf_0.1.0_amd64.deb
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Depends from the shared libraries the executable links (libssl3, libyaml-cpp0.7, libfmt9,
# libstdc++6, libc6, ...), as dpkg-shlibdeps (dpkg-dev) finds them, which CPack runs on the files
# `file` says are executables; listed by hand when either is missing. A sanitizer build's runtime
# is linked statically by clang, so an asan build's package needs nothing more.
find_program(MIKEYCONF_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(MIKEYCONF_FILE_PROGRAM file)
if(MIKEYCONF_DPKG_SHLIBDEPS AND MIKEYCONF_FILE_PROGRAM)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1, libssl3 (>= 3.0.0), libyaml-cpp0.7, libfmt9")
endif()
include(CPack)
