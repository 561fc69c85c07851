// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Lepton",
    products: [
        .library(name: "LeptonFiles", targets: ["LeptonFiles"]),
        .library(name: "LeptonTensor", targets: ["LeptonTensor"]),
        .library(name: "LeptonNN", targets: ["LeptonNN"]),
        .library(name: "LeptonData", targets: ["LeptonData"]),
        .library(name: "LeptonTrain", targets: ["LeptonTrain"]),
        .library(name: "LeptonIO", targets: ["LeptonIO"]),
        .library(name: "LeptonJobs", targets: ["LeptonJobs"]),
        .library(name: "LeptonONNX", targets: ["LeptonONNX"]),
        .library(name: "LeptonServe", targets: ["LeptonServe"]),
        .library(name: "LeptonDistributed", targets: ["LeptonDistributed"]),
        .library(name: "LeptonMPI", targets: ["LeptonMPI"]),
        .library(name: "LeptonTune", targets: ["LeptonTune"]),
        .library(name: "LeptonSQL", targets: ["LeptonSQL"]),
        .library(name: "LeptonPlatform", targets: ["LeptonPlatform"]),
        .library(name: "LeptonPlatformServer", targets: ["LeptonPlatformServer"]),
        .library(name: "LeptonHTTP", targets: ["LeptonHTTP"]),
        .library(name: "LeptonTestSupport", targets: ["LeptonTestSupport"]),
        .library(name: "LeptonFuzz", targets: ["LeptonFuzz"]),
        .library(name: "LeptonCompress", targets: ["LeptonCompress"]),
        .library(name: "LeptonPlot", targets: ["LeptonPlot"]),
        .library(name: "LeptonExplain", targets: ["LeptonExplain"]),
        .library(name: "LeptonEmbed", targets: ["LeptonEmbed"]),
        .executable(name: "lepton", targets: ["lepton"]),
        .executable(name: "lepton-bench", targets: ["LeptonBenchmarks"]),
        .executable(name: "lepton-gan", targets: ["lepton-gan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // oneDNN's sgemm: faster than OpenBLAS 0.3.21 on the training products (GEMMLibrary).
        .systemLibrary(
            name: "CDNNL",
            providers: [.apt(["libdnnl-dev"])]
        ),
        .target(name: "LeptonFiles"),
        // The floating-point control word (subnormals flushed to zero inside kernels).
        .target(name: "CFloatEnv"),
        // Float32 kernels compiled for AVX-512, AVX2 + FMA and any CPU, chosen at run time.
        .target(name: "CKernels"),
        .target(
            name: "LeptonTensor",
            dependencies: ["CBLAS", "CDNNL", "CFloatEnv", "CKernels"]
        ),
        // OpenMPI; only LeptonMPI (and through it the `lepton` executable) links it, so the core
        // builds and tests without MPI.
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CTurboJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]
        ),
        .target(
            name: "LeptonData",
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonFiles", "CZlib", "CPNG", "CTurboJPEG"]
        ),
        .target(
            name: "LeptonNN",
            dependencies: ["LeptonTensor"]
        ),
        .target(
            name: "LeptonTrain",
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonData", "LeptonFiles"]
        ),
        .target(
            name: "LeptonIO",
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonTrain", "LeptonFiles"]
        ),
        .target(
            name: "LeptonJobs",
            dependencies: [
                "LeptonTensor", "LeptonNN", "LeptonData", "LeptonTrain", "LeptonIO", "LeptonFiles",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "LeptonTune",
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonTrain", "LeptonJobs", "LeptonFiles", "LeptonSQL"]
        ),
        // SQL databases behind one protocol: SQLite (WAL, busy retries, migrations) embedded and
        // PostgreSQL by URL; the tuner's studies and the platform's store.
        .target(
            name: "LeptonSQL",
            dependencies: [
                "CSQLite",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The platform's domain (keys, roles, audit, encrypted datasets, store); no HTTP framework here.
        .target(
            name: "LeptonPlatform",
            dependencies: [
                "LeptonSQL", "LeptonData", "LeptonJobs", "LeptonCompress", "LeptonONNX",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The platform's HTTP API (Hummingbird) over LeptonPlatform.
        // What both HTTP servers (model server, platform) answer alike: JSON responses, request ids,
        // bearer headers, the framework's own errors, access-log lines.
        .target(
            name: "LeptonHTTP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .target(
            name: "LeptonPlatformServer",
            dependencies: [
                "LeptonPlatform", "LeptonHTTP", "LeptonJobs",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        .target(
            name: "LeptonDistributed",
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonTrain"]
        ),
        .target(
            name: "LeptonMPI",
            dependencies: ["LeptonDistributed", "CMPI"]
        ),
        .target(
            name: "LeptonONNX",
            dependencies: [
                "LeptonTensor", "LeptonNN", "LeptonTrain", "LeptonIO", "LeptonFiles",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "LeptonServe",
            dependencies: [
                "LeptonTensor", "LeptonNN", "LeptonTrain", "LeptonIO", "LeptonONNX", "LeptonData", "LeptonFiles", "CMalloc", "LeptonHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .target(
            name: "LeptonFuzz",
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonData", "LeptonIO", "LeptonJobs", "LeptonONNX", "LeptonServe", "LeptonFiles"]
        ),
        // Int8 kernels (AVX-512 VNNI, AVX2, portable; chosen at run time) and the compression module.
        .target(name: "CInt8"),
        .target(
            name: "LeptonCompress",
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonData", "LeptonTrain", "LeptonIO", "LeptonJobs", "LeptonONNX", "CInt8"]
        ),
        // Charts drawn into PNGs with the project's own writer: lines, text, heatmaps, colour maps.
        .target(
            name: "LeptonPlot",
            dependencies: ["LeptonData", "LeptonFiles"]
        ),
        // Attribution maps (saliency, SmoothGrad, Integrated Gradients, Grad-CAM, occlusion, attention).
        .target(
            name: "LeptonExplain",
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonData", "LeptonTrain", "LeptonPlot"]
        ),
        // Embedding models: metric-learning losses, galleries, open-set verification (ROC, TAR@FAR).
        .target(
            name: "LeptonEmbed",
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonData", "LeptonTrain", "LeptonIO", "LeptonJobs", "LeptonPlot", "LeptonFiles"]
        ),
        .target(
            name: "LeptonTestSupport",
            dependencies: ["LeptonTensor", "LeptonSQL"]
        ),
        .executableTarget(
            name: "lepton",
            dependencies: [
                "LeptonTensor", "LeptonNN", "LeptonData", "LeptonTrain", "LeptonIO", "LeptonJobs", "LeptonONNX", "LeptonServe", "LeptonFiles",
                "LeptonDistributed", "LeptonMPI", "LeptonTune", "LeptonSQL",
                "LeptonPlatform", "LeptonPlatformServer",
                "LeptonCompress", "LeptonPlot", "LeptonExplain", "LeptonEmbed",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "lepton-gan",
            dependencies: [
                "LeptonTensor", "LeptonNN", "LeptonData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/GAN"
        ),
        .executableTarget(
            name: "LeptonBenchmarks",
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonTrain", "LeptonData", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonTensorTests",
            dependencies: ["LeptonTensor", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonDataTests",
            dependencies: ["LeptonData", "LeptonNN", "LeptonTensor"]
        ),
        .testTarget(
            name: "LeptonTrainTests",
            dependencies: ["LeptonTrain", "LeptonNN", "LeptonData", "LeptonTensor", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonJobsTests",
            dependencies: ["LeptonJobs", "LeptonIO", "LeptonTrain", "LeptonNN", "LeptonData", "LeptonTensor", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonONNXTests",
            dependencies: ["LeptonONNX", "LeptonData", "LeptonTensor", "LeptonNN", "LeptonTrain", "LeptonIO", "LeptonJobs", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonIOTests",
            dependencies: ["LeptonIO", "LeptonTrain", "LeptonNN", "LeptonTensor"]
        ),
        .testTarget(
            name: "LeptonDistributedTests",
            dependencies: ["LeptonDistributed", "LeptonTrain", "LeptonData", "LeptonNN", "LeptonTensor", "LeptonIO", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonFilesTests",
            dependencies: ["LeptonFiles"]
        ),
        .testTarget(
            name: "LeptonServeTests",
            dependencies: ["LeptonServe", "LeptonONNX", "LeptonIO", "LeptonJobs", "LeptonTrain", "LeptonNN", "LeptonTensor", "LeptonData", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonCLITests",
            dependencies: ["LeptonTestSupport", "LeptonTune", "LeptonSQL", "LeptonData"]
        ),
        .testTarget(
            name: "LeptonFuzzTests",
            dependencies: ["LeptonFuzz"],
            exclude: ["Regressions"]
        ),
        .testTarget(
            name: "LeptonTuneTests",
            dependencies: ["LeptonTune", "LeptonJobs", "LeptonNN", "LeptonTensor", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonSQLTests",
            dependencies: ["LeptonSQL", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonPlatformTests",
            dependencies: ["LeptonPlatform", "LeptonSQL", "LeptonTestSupport", "LeptonIO", "LeptonNN", "LeptonONNX", "LeptonTensor",
                           .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(
            name: "LeptonHTTPTests",
            dependencies: ["LeptonHTTP"]
        ),
        .testTarget(
            name: "LeptonPlatformServerTests",
            dependencies: ["LeptonPlatformServer", "LeptonPlatform", "LeptonTestSupport", "LeptonIO", "LeptonNN", "LeptonTensor",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")]
        ),
        .testTarget(
            name: "LeptonCompressTests",
            dependencies: ["LeptonCompress", "LeptonONNX", "LeptonIO", "LeptonJobs", "LeptonTrain", "LeptonNN", "LeptonTensor", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonPlotTests",
            dependencies: ["LeptonPlot", "LeptonData"]
        ),
        .testTarget(
            name: "LeptonExplainTests",
            dependencies: ["LeptonExplain", "LeptonPlot", "LeptonTrain", "LeptonNN", "LeptonData", "LeptonTensor", "LeptonIO", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonEmbedTests",
            dependencies: ["LeptonEmbed", "LeptonPlot", "LeptonTrain", "LeptonNN", "LeptonData", "LeptonTensor", "LeptonJobs", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonNNTests",
            dependencies: ["LeptonNN", "LeptonTensor", "LeptonTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v5]
)

// The libFuzzer driver links libFuzzer's runtime (`-sanitize=fuzzer`), so it exists only in the
// build `scripts/fuzz.sh` makes: LEPTON_FUZZ=1, its own build folder, `-sanitize=fuzzer,address`.
if Context.environment["LEPTON_FUZZ"] == "1" {
    package.products.append(.executable(name: "lepton-fuzz", targets: ["lepton-fuzz"]))
    package.targets += [
        .target(name: "CLibFuzzer"),
        .executableTarget(name: "lepton-fuzz", dependencies: ["LeptonFuzz", "CLibFuzzer"]),
    ]
}
