module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'feedback-api',
  rootDir: __dirname,
};
