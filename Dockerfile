# mikeyconf in a container: `docker build -t mikeyconf .`, then
#   docker run --rm --network host -v "$PWD:/work" mikeyconf run --sut my-kms.yaml --out out
# (the folder mounted at /work holds the profile and receives the reports; the suite and the
# docs are in the image under /usr/share/mikeyconf, so no --cases is needed).
# Stage 1 builds the release binary and the Debian package (cmake/Packaging.cmake); stage 2 is
# Debian 12 with that package and only the shared libraries it depends on.

FROM debian:12 AS build
ARG DEBIAN_FRONTEND=noninteractive
# The build packages of scripts/bootstrap without the test, fuzz and benchmark ones; dpkg-dev
# (dpkg-shlibdeps) and file give the package its Depends.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends \
      clang cmake ninja-build pkg-config libssl-dev libfmt-dev libboost-dev libyaml-cpp-dev \
      libcli11-dev nlohmann-json3-dev dpkg-dev file \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake --preset release -DMIKEY_BUILD_TESTS=OFF -DMIKEY_BUILD_BENCHMARKS=OFF >/dev/null \
 && cmake --build build/release --target mikeyconf \
 && cpack --config build/release/CPackConfig.cmake -G DEB -B /pkg

FROM debian:12
ARG DEBIAN_FRONTEND=noninteractive
COPY --from=build /pkg/mikeyconf_*.deb /pkg/
# apt-get installs the package's Depends (libssl3, libyaml-cpp0.7, libfmt9, ...) with it.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends /pkg/mikeyconf_*.deb \
 && rm -rf /var/lib/apt/lists/* /pkg
WORKDIR /work
ENTRYPOINT ["mikeyconf"]
CMD ["--help"]
