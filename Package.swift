// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Lepton",
    products: [
        .library(name: "LeptonTensor", targets: ["LeptonTensor"]),
        .library(name: "LeptonNN", targets: ["LeptonNN"]),
        .library(name: "LeptonTestSupport", targets: ["LeptonTestSupport"]),
        .executable(name: "lepton", targets: ["lepton"]),
        .executable(name: "lepton-bench", targets: ["LeptonBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "LeptonTensor",
            dependencies: ["CBLAS"]
        ),
        .target(
            name: "LeptonNN",
            dependencies: ["LeptonTensor"]
        ),
        .target(
            name: "LeptonTestSupport",
            dependencies: ["LeptonTensor"]
        ),
        .executableTarget(
            name: "lepton",
            dependencies: [
                "LeptonTensor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "LeptonBenchmarks",
            dependencies: ["LeptonTensor", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonTensorTests",
            dependencies: ["LeptonTensor", "LeptonTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
