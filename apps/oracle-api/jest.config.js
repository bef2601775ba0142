module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'oracle-api',
  rootDir: __dirname,
};
