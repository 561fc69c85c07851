// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Lepton",
    products: [
        .library(name: "LeptonTensor", targets: ["LeptonTensor"]),
        .library(name: "LeptonNN", targets: ["LeptonNN"]),
        .library(name: "LeptonData", targets: ["LeptonData"]),
        .library(name: "LeptonTrain", targets: ["LeptonTrain"]),
        .library(name: "LeptonIO", targets: ["LeptonIO"]),
        .library(name: "LeptonJobs", targets: ["LeptonJobs"]),
        .library(name: "LeptonONNX", targets: ["LeptonONNX"]),
        .library(name: "LeptonTestSupport", targets: ["LeptonTestSupport"]),
        .executable(name: "lepton", targets: ["lepton"]),
        .executable(name: "lepton-bench", targets: ["LeptonBenchmarks"]),
        .executable(name: "lepton-gan", targets: ["lepton-gan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
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
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "LeptonData",
            dependencies: ["LeptonTensor", "CZlib"]
        ),
        .target(
            name: "LeptonNN",
            dependencies: ["LeptonTensor"]
        ),
        .target(
            name: "LeptonTrain",
            dependencies: ["LeptonTensor", "LeptonNN"]
        ),
        .target(
            name: "LeptonIO",
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonTrain"]
        ),
        .target(
            name: "LeptonJobs",
            dependencies: [
                "LeptonTensor", "LeptonNN", "LeptonData", "LeptonTrain", "LeptonIO",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "LeptonONNX",
            dependencies: [
                "LeptonTensor", "LeptonNN", "LeptonTrain", "LeptonIO",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "LeptonTestSupport",
            dependencies: ["LeptonTensor"]
        ),
        .executableTarget(
            name: "lepton",
            dependencies: [
                "LeptonTensor", "LeptonNN", "LeptonData", "LeptonTrain", "LeptonIO", "LeptonJobs", "LeptonONNX",
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
            dependencies: ["LeptonTensor", "LeptonNN", "LeptonTrain", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonTensorTests",
            dependencies: ["LeptonTensor", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonDataTests",
            dependencies: ["LeptonData", "LeptonTensor"]
        ),
        .testTarget(
            name: "LeptonTrainTests",
            dependencies: ["LeptonTrain", "LeptonNN", "LeptonData", "LeptonTensor"]
        ),
        .testTarget(
            name: "LeptonJobsTests",
            dependencies: ["LeptonJobs", "LeptonIO", "LeptonTrain", "LeptonNN", "LeptonData", "LeptonTensor"]
        ),
        .testTarget(
            name: "LeptonONNXTests",
            dependencies: ["LeptonONNX", "LeptonData", "LeptonIO", "LeptonNN", "LeptonTrain", "LeptonTensor", "LeptonTestSupport"]
        ),
        .testTarget(
            name: "LeptonNNTests",
            dependencies: ["LeptonNN", "LeptonTensor", "LeptonTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
