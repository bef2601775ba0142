module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'control',
  rootDir: __dirname,
};
