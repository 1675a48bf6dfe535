/* keeps the test-helper library non-empty before helpers exist */
typedef int clcnn_testutil_empty;
